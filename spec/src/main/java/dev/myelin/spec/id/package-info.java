/**
 * Matrix identifiers as validated value types (spec: appendices "Identifier Grammar"). Each has a
 * {@code parse(String)} that throws {@link dev.myelin.spec.id.InvalidIdentifierException} with a
 * human-readable reason.
 */
package dev.myelin.spec.id;

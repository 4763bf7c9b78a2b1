/**
 * Ed25519 keys, JSON and event signatures, content and reference hashes, and the ids derived from
 * them (spec: appendices "Signing JSON", server-server-api "Signing Events").
 */
package dev.myelin.spec.crypto;

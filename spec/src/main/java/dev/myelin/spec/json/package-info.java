/**
 * Canonical JSON (spec: appendices "Canonical JSON"), the strict and lenient parsers room versions
 * call for, and unpadded base64.
 */
package dev.myelin.spec.json;

package dev.myelin.spec.crypto;

/**
 * Signing key identifiers, {@code algorithm:version} where the version matches {@code [a-zA-Z0-9_]}
 * (spec: server-server-api "Publishing Keys", keys.yaml). Only ed25519 is supported.
 */
final class KeyIds {
    static final String ED25519_PREFIX = "ed25519:";

    private KeyIds() {
    }

    static String requireEd25519(String keyId) {
        if (keyId == null || !keyId.startsWith(ED25519_PREFIX) || keyId.length() == ED25519_PREFIX.length()) {
            throw new IllegalArgumentException("key id must be 'ed25519:' + a version: " + keyId);
        }
        for (int i = ED25519_PREFIX.length(); i < keyId.length(); i++) {
            char c = keyId.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                throw new IllegalArgumentException("key version may only hold [a-zA-Z0-9_]: " + keyId);
            }
        }
        return keyId;
    }
}

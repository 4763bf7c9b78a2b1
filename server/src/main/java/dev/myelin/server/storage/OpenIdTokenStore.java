package dev.myelin.server.storage;

import java.util.Optional;

/** OpenID tokens (spec: openid.yaml), stored as hashes of the token with their user and expiry. */
public interface OpenIdTokenStore {

    /** Stores a token and deletes expired ones. */
    void create(String tokenHash, String userId, long expiresTs, long nowTs);

    /** The user a token was issued to, unless it expired. */
    Optional<String> userOf(String tokenHash, long nowTs);
}

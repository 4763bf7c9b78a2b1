package dev.myelin.server.openid;

import dev.myelin.server.storage.OpenIdTokenStore;
import dev.myelin.server.user.Tokens;

import java.time.Clock;
import java.util.Optional;

/**
 * OpenID tokens (spec: client-server-api "OpenID", openid.yaml; server-server-api "OpenID"): a user gets a token to
 * give a third party, which asks this server, over federation, whose it is. Tokens live an hour.
 */
public final class OpenIdService {
    public static final long LIFETIME_SECONDS = 3600;

    private final OpenIdTokenStore store;
    private final Clock clock;

    public OpenIdService(OpenIdTokenStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** A new token for the user. */
    public String issue(String userId) {
        String token = Tokens.randomAlphanumeric(32);
        long now = clock.millis();
        store.create(Tokens.hash(token), userId, now + LIFETIME_SECONDS * 1000, now);
        return token;
    }

    public Optional<String> userOf(String token) {
        return store.userOf(Tokens.hash(token), clock.millis());
    }
}

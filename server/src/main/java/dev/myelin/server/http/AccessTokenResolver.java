package dev.myelin.server.http;

import java.util.Optional;

/** Finds who an access token belongs to; empty when the token is unknown or expired. */
@FunctionalInterface
public interface AccessTokenResolver {
    Optional<Requester> resolve(String accessToken);
}

package dev.myelin.server.http;

import java.util.Optional;

/**
 * Finds the requester for an application service's as_token, with the user and device the request asserts
 * (spec: application-service-api "Identity assertion"); empty when the token is no application service's.
 */
@FunctionalInterface
public interface AppServiceTokenResolver {
    AppServiceTokenResolver NONE = (token, request) -> Optional.empty();

    Optional<Requester> resolve(String asToken, MatrixRequest request);
}

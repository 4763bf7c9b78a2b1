package dev.myelin.server.http;

import java.util.Optional;

/**
 * Authenticates requests by access token (spec: client-server-api "Client authentication"):
 * no token is 401 M_MISSING_TOKEN, an unknown one 401 M_UNKNOWN_TOKEN.
 */
public final class Authenticator {
    private final AccessTokenResolver resolver;

    public Authenticator(AccessTokenResolver resolver) {
        this.resolver = resolver;
    }

    public Requester require(MatrixRequest request) {
        String token = request.accessToken().orElseThrow(() ->
                new MatrixException(401, ErrorCode.M_MISSING_TOKEN, "Missing access token"));
        return resolver.resolve(token).orElseThrow(() ->
                new MatrixException(401, ErrorCode.M_UNKNOWN_TOKEN, "Unrecognised access token"));
    }

    /** Like {@link #require}, but guests get 403 M_GUEST_ACCESS_FORBIDDEN (spec: modules/guest_access). */
    public Requester requireNonGuest(MatrixRequest request) {
        Requester requester = require(request);
        if (requester.guest()) {
            throw new MatrixException(403, ErrorCode.M_GUEST_ACCESS_FORBIDDEN, "Guest accounts cannot do this");
        }
        return requester;
    }

    /** The requester if a token was given (and valid), for endpoints where authentication is optional. */
    public Optional<Requester> optional(MatrixRequest request) {
        return request.accessToken().isPresent() ? Optional.of(require(request)) : Optional.empty();
    }
}

package dev.myelin.server.http;

import java.util.Map;
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

    /**
     * The requester; a locked account gets 401 M_USER_LOCKED with {@code soft_logout} so that its client keeps its
     * session and retries until the lock is lifted (spec: "Account locking").
     */
    public Requester require(MatrixRequest request) {
        Requester requester = requireEvenIfLocked(request);
        if (requester.locked()) {
            throw new MatrixException(401, ErrorCode.M_USER_LOCKED, "This account has been locked",
                    Map.of("soft_logout", true));
        }
        return requester;
    }

    /** Like {@link #require}, for the endpoints a locked account may still use: logging out. */
    public Requester requireEvenIfLocked(MatrixRequest request) {
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

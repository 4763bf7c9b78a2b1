package dev.myelin.server.federation.transport;

import dev.myelin.server.http.Router;

/**
 * Adds authenticated federation endpoints to one listener's router: each request's X-Matrix signature is checked
 * before the endpoint runs, and the endpoint receives the verified origin server name.
 */
public final class FederationRoutes {
    /** Prefixes of the Server-Server API. */
    public static final String V1 = "/_matrix/federation/v1";
    public static final String V2 = "/_matrix/federation/v2";

    private final Router router;
    private final FederationAuthenticator authenticator;

    public FederationRoutes(Router router, FederationAuthenticator authenticator) {
        this.router = router;
        this.authenticator = authenticator;
    }

    /** Adds {@code method template} (a full path such as {@code V1 + "/send/{txnId}"}), authenticated. */
    public FederationRoutes add(String method, String template, FederationEndpoint endpoint) {
        router.add(method, template, request -> endpoint.handle(request, authenticator.authenticate(request)));
        return this;
    }

    /** Adds an authenticated route with its own body limit (for large transactions or send_join answers). */
    public FederationRoutes add(String method, String template, FederationEndpoint endpoint, long maxBodyBytes) {
        router.add(method, template, request -> endpoint.handle(request, authenticator.authenticate(request)),
                maxBodyBytes);
        return this;
    }

    /** The underlying router, for the few federation-facing endpoints that are not authenticated (keys, version). */
    public Router router() {
        return router;
    }
}

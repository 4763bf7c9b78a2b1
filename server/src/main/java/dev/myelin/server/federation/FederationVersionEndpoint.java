package dev.myelin.server.federation;

import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Router;

import java.util.Map;

/** GET /_matrix/federation/v1/version (spec: server-server-api "Server implementation"), unauthenticated. */
public final class FederationVersionEndpoint {
    private FederationVersionEndpoint() {
    }

    public static void register(Router router) {
        String version = FederationVersionEndpoint.class.getPackage().getImplementationVersion();
        var body = Map.of("server", Map.of("name", "Myelin", "version", version == null ? "dev" : version));
        router.add("GET", "/_matrix/federation/v1/version", request -> MatrixResponse.ok(body));
    }
}

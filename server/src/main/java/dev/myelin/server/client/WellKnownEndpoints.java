package dev.myelin.server.client;

import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * /.well-known/matrix/client (spec: client-server-api "Well-known URIs") and
 * /.well-known/matrix/server (spec: server-server-api "Resolving server names").
 */
public final class WellKnownEndpoints {
    private final Map<String, Object> client;
    private final Optional<Map<String, Object>> server;

    public WellKnownEndpoints(URI publicBaseUrl, Optional<String> federationServer) {
        String baseUrl = publicBaseUrl.toString();
        // The spec's example has no trailing slash; clients append paths to base_url.
        this.client = Map.of("m.homeserver", Map.of("base_url",
                baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl));
        this.server = federationServer.map(value -> Map.of("m.server", value));
    }

    public MatrixResponse client(MatrixRequest request) {
        return MatrixResponse.ok(client);
    }

    public MatrixResponse server(MatrixRequest request) {
        return MatrixResponse.ok(server.orElseThrow(() ->
                MatrixException.notFound("This server does not delegate federation through .well-known")));
    }
}

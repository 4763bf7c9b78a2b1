package dev.myelin.server.client;

import dev.myelin.server.http.Endpoint;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;

import java.util.Map;

/** GET /_matrix/client/versions (spec: client-server-api "API Standards", versions.yaml). */
public final class VersionsEndpoint implements Endpoint {
    private final Map<String, Object> body = Map.of(
            "versions", SpecVersions.VERSIONS,
            "unstable_features", SpecVersions.UNSTABLE_FEATURES);

    @Override
    public MatrixResponse handle(MatrixRequest request) {
        return MatrixResponse.ok(body);
    }
}

package dev.myelin.server.ops;

import dev.myelin.server.http.Endpoint;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** GET /health: 200 "OK" when the server can serve (its database answers), 503 otherwise. */
public final class HealthEndpoint implements Endpoint {
    private static final byte[] OK = "OK".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNAVAILABLE = "UNAVAILABLE".getBytes(StandardCharsets.US_ASCII);

    private final BooleanSupplier healthy;

    public HealthEndpoint(BooleanSupplier healthy) {
        this.healthy = healthy;
    }

    @Override
    public MatrixResponse handle(MatrixRequest request) {
        return healthy.getAsBoolean()
                ? MatrixResponse.bytes(200, "text/plain", OK)
                : MatrixResponse.bytes(503, "text/plain", UNAVAILABLE);
    }
}

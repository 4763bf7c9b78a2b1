package dev.myelin.server.ops;

import dev.myelin.server.http.Endpoint;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.metrics.Metrics;

/** GET /metrics: the Prometheus text exposition. */
public final class MetricsEndpoint implements Endpoint {
    private final Metrics metrics;

    public MetricsEndpoint(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public MatrixResponse handle(MatrixRequest request) throws Exception {
        return MatrixResponse.bytes(200, Metrics.CONTENT_TYPE, metrics.scrape());
    }
}

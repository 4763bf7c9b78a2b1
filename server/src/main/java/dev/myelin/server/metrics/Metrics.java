package dev.myelin.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.DoubleSupplier;

/** The Prometheus registry and the server's own metrics. */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private volatile boolean jvmMetricsWanted;
    private boolean jvmMetricsRegistered;

    public Metrics() {
        requests = Counter.builder()
                .name("myelin_http_requests")
                .help("HTTP requests answered, by route template, method and status")
                .labelNames("method", "route", "status")
                .register(registry);
        latency = Histogram.builder()
                .name("myelin_http_request_duration_seconds")
                .help("Time to answer an HTTP request, by route template and method")
                .labelNames("method", "route")
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
    }

    /**
     * Adds the JVM's own metrics (memory, GC, threads, class loading) at the first scrape: they
     * cost hundreds of milliseconds to set up, which start-up should not pay.
     */
    public Metrics withJvmMetrics() {
        jvmMetricsWanted = true;
        return this;
    }

    /** Registers a gauge read at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
                .callback(callback -> callback.call(value.getAsDouble()))
                .register(registry);
    }

    public void recordRequest(String method, String route, int status, long nanos) {
        requests.labelValues(method, route, Integer.toString(status)).inc();
        latency.labelValues(method, route).observe(nanos / 1e9);
    }

    /** The Prometheus text exposition of every metric. */
    public byte[] scrape() throws IOException {
        registerJvmMetricsOnce();
        var out = new ByteArrayOutputStream(16 * 1024);
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toByteArray();
    }

    private synchronized void registerJvmMetricsOnce() {
        if (jvmMetricsWanted && !jvmMetricsRegistered) {
            JvmMetrics.builder().register(registry);
            jvmMetricsRegistered = true;
        }
    }

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
}

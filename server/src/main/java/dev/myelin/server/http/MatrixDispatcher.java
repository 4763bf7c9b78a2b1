package dev.myelin.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.metrics.Metrics;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one Jetty handler: gives each request an id, answers CORS and OPTIONS, finds the route,
 * runs the endpoint on the request's virtual thread, and turns every failure into a Matrix error.
 */
public final class MatrixDispatcher extends Handler.Abstract {
    private static final Logger ACCESS = LoggerFactory.getLogger("myelin.access");
    private static final Logger LOG = LoggerFactory.getLogger(MatrixDispatcher.class);
    private static final String UNMATCHED = "unmatched";

    private final Router router;
    private final CorsHeaders cors;
    private final Metrics metrics;
    private final long defaultMaxBody;
    private final RateLimiter perIpLimiter;
    private volatile java.util.function.Predicate<MatrixRequest> unlimited = request -> false;
    private final AtomicLong requestCounter = new AtomicLong();
    private final String requestIdPrefix = Long.toString(System.currentTimeMillis() % 100_000, 36);

    public MatrixDispatcher(Router router, Metrics metrics, long defaultMaxBody, RateLimiter perIpLimiter) {
        this.router = router;
        this.cors = new CorsHeaders(router.methods());
        this.metrics = metrics;
        this.defaultMaxBody = defaultMaxBody;
        this.perIpLimiter = perIpLimiter;
    }

    /** Requests the per-IP limit does not apply to (application services registered with rate_limited: false). */
    public MatrixDispatcher exemptFromRateLimit(java.util.function.Predicate<MatrixRequest> exempt) {
        this.unlimited = exempt;
        return this;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String requestId = requestIdPrefix + "-" + requestCounter.incrementAndGet();
        String method = request.getMethod();
        String path = request.getHttpURI().getPath();
        MDC.put("request_id", requestId);
        cors.apply(response.getHeaders());
        String routeLabel = UNMATCHED;
        MatrixResponse answer;
        long bodyLimit = defaultMaxBody;
        try {
            if ("OPTIONS".equals(method)) {
                // Spec: answer pre-flight requests without running any endpoint logic.
                answer = MatrixResponse.empty();
            } else {
                RouteMatch match = router.match(method, path);
                if (match instanceof RouteMatch.Found found) {
                    routeLabel = found.route().template();
                    bodyLimit = bodyLimit(found.route());
                }
                answer = dispatch(request, match, requestId);
            }
        } catch (MatrixException e) {
            answer = error(e);
        } catch (Exception | StackOverflowError e) {
            LOG.error("Unhandled failure in {} {}", method, path, e);
            answer = error(new MatrixException(500, ErrorCode.M_UNKNOWN, "Internal server error"));
        }
        if (!drainUnreadBody(request, bodyLimit)) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        write(response, answer, callback);
        long elapsed = System.nanoTime() - start;
        metrics.recordRequest(method, routeLabel, answer.status(), elapsed);
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info("{} {} {} {} {}us", request.getConnectionMetaData().getRemoteSocketAddress(),
                    method, routeLabel == UNMATCHED ? path : routeLabel, answer.status(), elapsed / 1000);
        }
        MDC.remove("request_id");
        return true;
    }

    private MatrixResponse dispatch(Request request, RouteMatch match, String requestId) throws Exception {
        return switch (match) {
            case RouteMatch.NotFound _ ->
                    throw new MatrixException(404, ErrorCode.M_UNRECOGNIZED, "Unrecognized request");
            case RouteMatch.WrongMethod _ ->
                    throw new MatrixException(405, ErrorCode.M_UNRECOGNIZED, "Unrecognized request: wrong method");
            case RouteMatch.Found found -> {
                long maxBody = bodyLimit(found.route());
                long declared = request.getLength();
                if (declared > maxBody) {
                    throw MatrixException.tooLarge("Request body is larger than " + maxBody + " bytes");
                }
                var matrixRequest = new MatrixRequest(request, found.params(), maxBody, requestId);
                if (!unlimited.test(matrixRequest)) {
                    perIpLimiter.check(matrixRequest.remoteAddress());
                }
                var context = new RequestContext(requestId, matrixRequest.remoteAddress());
                yield ScopedValue.where(RequestContext.CURRENT, context)
                        .call(() -> found.route().endpoint().handle(matrixRequest));
            }
        };
    }

    private long bodyLimit(Route route) {
        return route.maxBodyBytes() >= 0 ? route.maxBodyBytes() : defaultMaxBody;
    }

    private static MatrixResponse error(MatrixException e) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("errcode", e.errcode().name());
        body.put("error", e.getMessage());
        for (Map.Entry<String, Object> extra : e.extra().entrySet()) {
            body.set(extra.getKey(), Json.MAPPER.valueToTree(extra.getValue()));
        }
        var response = MatrixResponse.json(e.status(), body);
        if (e.extra().get("retry_after_ms") instanceof Number retryMs) {
            response = response.withHeader("Retry-After", Long.toString((retryMs.longValue() + 999) / 1000));
        }
        return response;
    }

    /**
     * Reads and discards what the endpoint left of the request body (an error answered before the
     * body arrived), so the connection stays usable for the client's next request: otherwise Jetty
     * closes it after the response, and a client that already reuses it sees its request fail. The
     * client was entitled to send anything up to the route's limit (an upload refused for quota is
     * still read whole); a body over it closes the connection, announced with "Connection: close".
     */
    private boolean drainUnreadBody(Request request, long limit) {
        long declared = request.getLength();
        if (declared == 0) {
            return true;
        }
        if (declared > limit) {
            return false;
        }
        InputStream rest = Content.Source.asInputStream(request);
        byte[] buffer = new byte[8192];
        long drained = 0;
        try {
            for (int n = rest.read(buffer); n >= 0; n = rest.read(buffer)) {
                drained += n;
                if (drained > limit) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void write(Response response, MatrixResponse answer, Callback callback) {
        if (answer.stream() != null) {
            writeStream(response, answer, callback);
            return;
        }
        byte[] bytes;
        try {
            bytes = answer.bytes() != null ? answer.bytes() : Json.MAPPER.writeValueAsBytes(answer.json());
        } catch (Exception e) {
            LOG.error("Cannot serialize response", e);
            answer = error(new MatrixException(500, ErrorCode.M_UNKNOWN, "Internal server error"));
            bytes = "{\"errcode\":\"M_UNKNOWN\",\"error\":\"Internal server error\"}".getBytes();
        }
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        answer.headers().forEach(response.getHeaders()::put);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** Streams a body (a media file) on the request's virtual thread, with blocking writes. */
    private static void writeStream(Response response, MatrixResponse answer, Callback callback) {
        response.setStatus(answer.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
        answer.headers().forEach(response.getHeaders()::put);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.stream().length());
        try (var out = org.eclipse.jetty.io.Content.Sink.asOutputStream(response)) {
            answer.stream().writeTo(out);
        } catch (Exception e) {
            LOG.debug("Streaming a response failed: {}", e.toString());
            callback.failed(e);
            return;
        }
        callback.succeeded();
    }
}

package dev.myelin.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/** A request as endpoints see it: path parameters, query, headers, a size-limited body. */
public final class MatrixRequest {
    private final Request request;
    private final Map<String, String> pathParams;
    private final long maxBodyBytes;
    private final String requestId;
    private Fields query;
    private byte[] body;

    public MatrixRequest(Request request, Map<String, String> pathParams, long maxBodyBytes, String requestId) {
        this.request = request;
        this.pathParams = pathParams;
        this.maxBodyBytes = maxBodyBytes;
        this.requestId = requestId;
    }

    public String method() { return request.getMethod(); }

    public String requestId() { return requestId; }

    /** A path parameter of the route template, already percent-decoded. */
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalStateException("Route has no parameter " + name);
        }
        return value;
    }

    /** A path parameter that only some of an endpoint's routes have. */
    public Optional<String> pathParamIfPresent(String name) {
        return Optional.ofNullable(pathParams.get(name));
    }

    public Optional<String> query(String name) {
        if (query == null) {
            query = Request.extractQueryParameters(request);
        }
        return Optional.ofNullable(query.getValue(name));
    }

    /** Every query parameter with its first value, minus the access token (for passing a query on). */
    public Map<String, String> queryParameters() {
        query("access_token");
        var out = new java.util.LinkedHashMap<String, String>();
        for (var field : query) {
            if (!"access_token".equals(field.getName())) {
                out.put(field.getName(), field.getValue());
            }
        }
        return out;
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeaders().get(name));
    }

    /** The client's address as seen by this server (a reverse proxy's X-Forwarded-For is applied by Jetty's customizer). */
    public String remoteAddress() {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress address
                ? address.getAddress().getHostAddress()
                : "unknown";
    }

    /**
     * The access token, from {@code Authorization: Bearer} or the deprecated {@code access_token}
     * query parameter (spec: client-server-api "Using access tokens").
     */
    public Optional<String> accessToken() {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).trim());
        }
        return query("access_token");
    }

    /** The whole body, refused with M_TOO_LARGE beyond the route's limit. */
    public byte[] bodyBytes() throws IOException {
        if (body == null) {
            // With a Content-Length, read just that (HTTP delivers no more): asking for the limit would buffer in
            // 16-KB chunks for a body of a few hundred bytes.
            long declared = request.getLength();
            int wanted = declared >= 0 && declared <= maxBodyBytes ? (int) declared
                    : (int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1);
            try (InputStream in = bodyStream()) {
                byte[] read = in.readNBytes(wanted);
                if (read.length > maxBodyBytes) {
                    throw MatrixException.tooLarge("Request body is larger than " + maxBodyBytes + " bytes");
                }
                body = read;
            }
        }
        return body;
    }

    /** The body as a stream, for endpoints that must not hold it in memory (media uploads). */
    public InputStream bodyStream() {
        return Content.Source.asInputStream(request);
    }

    /** The body parsed as JSON: M_NOT_JSON when it is not JSON. An empty body is an empty object. */
    public JsonNode jsonBody() throws IOException {
        byte[] bytes = bodyBytes();
        if (bytes.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw MatrixException.notJson("Request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The body as a JSON object: M_BAD_JSON when it is JSON but not an object. */
    public ObjectNode jsonObject() throws IOException {
        JsonNode node = jsonBody();
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw MatrixException.badJson("Request body must be a JSON object");
    }

    /** The underlying Jetty request, for the rare endpoint that needs more. */
    public Request jetty() { return request; }
}

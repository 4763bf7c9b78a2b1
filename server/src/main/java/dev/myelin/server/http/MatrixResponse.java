package dev.myelin.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * What an endpoint answers: a status and either a JSON body (any value Jackson can write), raw bytes with their
 * content type, or a streamed body (a file) written after the headers without being held in memory.
 */
public record MatrixResponse(int status, Object json, byte[] bytes, String contentType, Map<String, String> headers,
                             StreamingBody stream) {

    /** A body written straight to the connection, such as a media file. */
    public interface StreamingBody {
        long length();

        void writeTo(OutputStream out) throws IOException;
    }

    public MatrixResponse(int status, Object json, byte[] bytes, String contentType, Map<String, String> headers) {
        this(status, json, bytes, contentType, headers, null);
    }

    public static MatrixResponse ok(Object json) {
        return new MatrixResponse(200, json, null, "application/json", Map.of());
    }

    public static MatrixResponse json(int status, Object json) {
        return new MatrixResponse(status, json, null, "application/json", Map.of());
    }

    /** An empty JSON object, the success answer of many endpoints. */
    public static MatrixResponse empty() {
        return ok(Map.of());
    }

    public static MatrixResponse bytes(int status, String contentType, byte[] bytes) {
        return new MatrixResponse(status, null, bytes, contentType, Map.of());
    }

    public static MatrixResponse stream(int status, String contentType, StreamingBody body) {
        return new MatrixResponse(status, null, null, contentType, Map.of(), body);
    }

    public MatrixResponse withHeader(String name, String value) {
        var copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new MatrixResponse(status, json, bytes, contentType, Map.copyOf(copy), stream);
    }
}

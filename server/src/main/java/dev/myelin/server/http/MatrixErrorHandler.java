package dev.myelin.server.http;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Errors Jetty raises before a request reaches the dispatcher (a malformed request line, headers
 * too large) also answer as Matrix errors, never as HTML pages.
 */
final class MatrixErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message,
                                    Throwable cause, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(code, message)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    private static byte[] body(int code, String message) {
        ErrorCode errcode = switch (code) {
            case 404, 405 -> ErrorCode.M_UNRECOGNIZED;
            case 413, 431 -> ErrorCode.M_TOO_LARGE;
            case 400 -> ErrorCode.M_UNRECOGNIZED;
            default -> ErrorCode.M_UNKNOWN;
        };
        var node = Json.MAPPER.createObjectNode();
        node.put("errcode", errcode.name());
        node.put("error", message == null ? "HTTP " + code : message);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}

package dev.myelin.server.http;

import java.util.Map;

/**
 * A failure a client sees as a standard Matrix error: {@code {"errcode": ..., "error": ...}} plus
 * any extra keys the error code defines (such as {@code retry_after_ms}), with an HTTP status.
 */
public class MatrixException extends RuntimeException {
    private final int status;
    private final ErrorCode errcode;
    private final Map<String, Object> extra;

    public MatrixException(int status, ErrorCode errcode, String message) {
        this(status, errcode, message, Map.of());
    }

    public MatrixException(int status, ErrorCode errcode, String message, Map<String, Object> extra) {
        super(message, null, false, false);
        this.status = status;
        this.errcode = errcode;
        this.extra = Map.copyOf(extra);
    }

    public int status() { return status; }

    public ErrorCode errcode() { return errcode; }

    public Map<String, Object> extra() { return extra; }

    public static MatrixException badJson(String message) {
        return new MatrixException(400, ErrorCode.M_BAD_JSON, message);
    }

    public static MatrixException notJson(String message) {
        return new MatrixException(400, ErrorCode.M_NOT_JSON, message);
    }

    public static MatrixException invalidParam(String message) {
        return new MatrixException(400, ErrorCode.M_INVALID_PARAM, message);
    }

    public static MatrixException missingParam(String message) {
        return new MatrixException(400, ErrorCode.M_MISSING_PARAM, message);
    }

    public static MatrixException forbidden(String message) {
        return new MatrixException(403, ErrorCode.M_FORBIDDEN, message);
    }

    public static MatrixException notFound(String message) {
        return new MatrixException(404, ErrorCode.M_NOT_FOUND, message);
    }

    public static MatrixException tooLarge(String message) {
        return new MatrixException(413, ErrorCode.M_TOO_LARGE, message);
    }

    public static MatrixException limitExceeded(long retryAfterMs) {
        return new MatrixException(429, ErrorCode.M_LIMIT_EXCEEDED, "Too many requests",
                Map.of("retry_after_ms", retryAfterMs));
    }
}

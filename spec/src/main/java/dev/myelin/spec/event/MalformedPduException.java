package dev.myelin.spec.event;

/** A received or built event that does not have the shape its room version demands. */
public final class MalformedPduException extends RuntimeException {
    public MalformedPduException(String message) {
        super(message);
    }

    public MalformedPduException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.myelin.spec.json;

/** JSON that Matrix does not accept: malformed, or outside what canonical JSON can represent. */
public final class InvalidJsonException extends RuntimeException {
    public InvalidJsonException(String message) {
        super(message);
    }

    public InvalidJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}

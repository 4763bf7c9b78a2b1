package dev.myelin.server.federation.keys;

/** A key response that cannot be trusted or used. */
public final class InvalidKeyResponseException extends Exception {
    public InvalidKeyResponseException(String message) {
        super(message);
    }
}

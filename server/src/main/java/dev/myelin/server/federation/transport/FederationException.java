package dev.myelin.server.federation.transport;

import java.util.Optional;

/**
 * An outbound federation request failed: the destination could not be reached (status 0), or it answered with an
 * error status (and usually a Matrix errcode).
 */
public final class FederationException extends Exception {
    private final String destination;
    private final int status;
    private final Optional<String> errcode;

    public FederationException(String destination, int status, Optional<String> errcode, String message) {
        super(destination + ": " + message);
        this.destination = destination;
        this.status = status;
        this.errcode = errcode;
    }

    public FederationException(String destination, String message, Throwable cause) {
        super(destination + ": " + message, cause);
        this.destination = destination;
        this.status = 0;
        this.errcode = Optional.empty();
    }

    public String destination() { return destination; }

    /** The HTTP status the destination answered, 0 when it could not be reached or its answer was unusable. */
    public int status() { return status; }

    public Optional<String> errcode() { return errcode; }

    /** Whether the destination could not be reached at all (or failed with a server error): worth retrying later. */
    public boolean unreachable() {
        return status == 0 || status >= 500;
    }
}

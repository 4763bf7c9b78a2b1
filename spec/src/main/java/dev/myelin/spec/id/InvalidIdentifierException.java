package dev.myelin.spec.id;

/** A string that does not follow a Matrix identifier grammar (spec: appendices "Identifier Grammar"). */
public final class InvalidIdentifierException extends IllegalArgumentException {
    private final String reason;

    public InvalidIdentifierException(String kind, String value, String reason) {
        super("invalid " + kind + " '" + value + "': " + reason);
        this.reason = reason;
    }

    /** Why the identifier was refused, for error responses. */
    public String reason() {
        return reason;
    }
}

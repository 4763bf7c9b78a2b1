package dev.myelin.server.http;

/**
 * Who made an authenticated request: the user and the device its access token belongs to, and the account's
 * moderation flags (spec: client-server-api "Account moderation").
 */
public record Requester(String userId, String deviceId, boolean guest, boolean locked, boolean suspended) {

    public Requester(String userId, String deviceId, boolean guest) {
        this(userId, deviceId, guest, false, false);
    }

    /**
     * Refuses an action a suspended account may not take: joining, knocking, inviting, sending, changing state or
     * profile, redacting others' events (spec: "Account suspension", 403 M_USER_SUSPENDED).
     */
    public Requester requireNotSuspended() {
        if (suspended) {
            throw new MatrixException(403, ErrorCode.M_USER_SUSPENDED, "You cannot perform this action while suspended.");
        }
        return this;
    }
}

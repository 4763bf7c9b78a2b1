package dev.myelin.server.http;

/**
 * Who made an authenticated request: the user and the device its access token belongs to, and the account's
 * moderation flags (spec: client-server-api "Account moderation"). {@code appServiceId} names the application
 * service whose as_token was used (null for users' own tokens); its {@code deviceId} is null when it asserted no
 * device (spec: application-service-api "Identity assertion").
 */
public record Requester(String userId, String deviceId, boolean guest, boolean locked, boolean suspended,
                        String appServiceId) {

    public Requester(String userId, String deviceId, boolean guest, boolean locked, boolean suspended) {
        this(userId, deviceId, guest, locked, suspended, null);
    }

    public Requester(String userId, String deviceId, boolean guest) {
        this(userId, deviceId, guest, false, false);
    }

    /** Whether an application service made the request. */
    public boolean isAppService() {
        return appServiceId != null;
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

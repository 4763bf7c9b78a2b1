package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;

/**
 * Accounts: users, their passwords and flags, and the single-use login tokens of m.login.token. Each method is one
 * transaction, so an operation a request makes (register with its first device, change the password and log other
 * devices out, deactivate) never half-happens.
 */
public interface AccountStore {

    /**
     * @param locked    every client request but logout is refused (spec: "Account locking")
     * @param suspended the user may read but not act in rooms or change their profile ("Account suspension")
     */
    record Account(String userId, Optional<String> passwordHash, boolean guest, boolean admin, boolean deactivated,
                   long createdTs, boolean locked, boolean suspended) {

        public Account(String userId, Optional<String> passwordHash, boolean guest, boolean admin, boolean deactivated,
                       long createdTs) {
            this(userId, passwordHash, guest, admin, deactivated, createdTs, false, false);
        }
    }

    /**
     * A new access token (and optionally refresh token) for a device, created when missing.
     *
     * @param accessExpiresTs when the access token expires, or 0 for never
     * @param refreshTokenHash empty when the client does not use refresh tokens
     */
    record NewSession(String userId, String deviceId, Optional<String> initialDisplayName, String accessTokenHash,
                      long accessExpiresTs, Optional<String> refreshTokenHash, long nowTs) {
    }

    Optional<Account> find(String userId);

    /**
     * Creates the account and, when {@code session} is given, its first device; when {@code registrationToken} is
     * given, moves one of its uses from pending to completed.
     *
     * @return false (and nothing written) when the user id is taken
     */
    boolean create(Account account, Optional<NewSession> session, Optional<String> registrationToken);

    /**
     * Turns a guest account into a full one with a password (spec: guest access, "upgrade their account"), with a new
     * session and registration token completion as in {@link #create}.
     *
     * @return false (and nothing written) when the user is not a guest
     */
    boolean upgradeGuest(String userId, String passwordHash, Optional<NewSession> session,
                         Optional<String> registrationToken);

    /** Sets a user's admin flag; false when there is no such user. */
    boolean setAdmin(String userId, boolean admin);

    /** Locks or unlocks an account; false when there is no such user. */
    boolean setLocked(String userId, boolean locked);

    /** Suspends or unsuspends an account; false when there is no such user. */
    boolean setSuspended(String userId, boolean suspended);

    /**
     * Replaces the password hash and, when {@code logoutExcept} is present, deletes every device of the user but
     * the one named there (an empty string keeps none).
     *
     * @return the ids of the devices deleted
     */
    List<String> changePassword(String userId, String passwordHash, Optional<String> logoutExcept);

    /**
     * Marks the account deactivated and deletes all its devices (and so its tokens) and login tokens. The password
     * hash stays, so a login with the right password can be told M_USER_DEACTIVATED.
     */
    void deactivate(String userId);

    void createLoginToken(String tokenHash, String userId, long expiresTs);

    /** Takes a login token: returns its user if it exists and has not expired, and deletes it either way. */
    Optional<String> consumeLoginToken(String tokenHash, long nowTs);
}

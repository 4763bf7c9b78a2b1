package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Registration tokens (spec: "Token-authenticated registration"; managed with Synapse's admin API). */
public interface RegistrationTokenStore {

    /**
     * @param usesAllowed how many registrations it allows, empty for unlimited
     * @param expiryTime  milliseconds since the epoch after which it is invalid, empty for never
     */
    record RegistrationToken(String token, OptionalInt usesAllowed, int pending, int completed, OptionalLong expiryTime) {
        public boolean valid(long nowTs) {
            return (usesAllowed.isEmpty() || pending + completed < usesAllowed.getAsInt())
                    && (expiryTime.isEmpty() || expiryTime.getAsLong() > nowTs);
        }
    }

    List<RegistrationToken> list();

    Optional<RegistrationToken> find(String token);

    /** @return false when the token exists already */
    boolean create(String token, OptionalInt usesAllowed, OptionalLong expiryTime);

    /**
     * Updates the given fields: a present outer Optional changes the field, an empty inner value clears it.
     *
     * @return the updated token, empty when there is no such token
     */
    Optional<RegistrationToken> update(String token, Optional<OptionalInt> usesAllowed,
                                       Optional<OptionalLong> expiryTime);

    boolean delete(String token);

    /** Counts one pending use if the token is valid now; false when it is not (unknown, used up or expired). */
    boolean reservePending(String token, long nowTs);

    /** Gives back a pending use that was never completed. */
    void releasePending(String token);
}

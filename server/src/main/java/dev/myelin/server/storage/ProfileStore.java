package dev.myelin.server.storage;

import java.util.Map;
import java.util.Optional;

/**
 * Profile fields of local users (spec: profile.yaml). Values are JSON texts. Writing a field also refreshes the
 * user's row in the user directory in the same transaction, so the directory never disagrees with the profile.
 */
public interface ProfileStore {

    /** Every field of the user, by name, in name order; empty when the user has none. */
    Map<String, String> fields(String userId);

    Optional<String> field(String userId, String field);

    /**
     * Sets one field, unless the profile would then be larger than {@code maxProfileBytes} (the sum of the UTF-8
     * lengths of names and values).
     *
     * @return false (nothing written) when the profile would be too large
     */
    boolean set(String userId, String field, String jsonValue, int maxProfileBytes);

    /** Deletes one field; deleting an absent field is not an error. */
    void delete(String userId, String field);

    /** Deletes every field of the user (deactivation with erase). */
    void deleteAll(String userId);
}

package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A user's account data (spec: modules "Client Config"): the latest content of each type, global or per room. Every
 * change takes the next position of the {@code account_data} stream.
 */
public interface AccountDataStore {
    /** The room id under which global account data is kept. */
    String GLOBAL = "";

    /** One type's content; {@code roomId} is {@link #GLOBAL} for global account data. */
    record Entry(String roomId, String type, String content, long streamPos) {
        public boolean global() {
            return roomId.equals(GLOBAL);
        }
    }

    Optional<String> get(String userId, String roomId, String type);

    /** Stores the content (JSON text) of a type; returns the change's stream position. */
    long put(String userId, String roomId, String type, String content);

    /**
     * Replaces a type's content by what {@code change} makes of the current one (empty when absent) in one
     * transaction; returns the change's stream position.
     */
    long update(String userId, String roomId, String type, Function<Optional<String>, String> change);

    /** The user's entries changed after {@code since} up to {@code upTo} (inclusive), oldest change first. */
    List<Entry> changed(String userId, long since, long upTo);

    /** All the user's entries of one room, or all global ones with {@link #GLOBAL}. */
    List<Entry> all(String userId, String roomId);

    long currentPosition();
}

package dev.myelin.server.storage;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Users' presence as others see it (spec: modules "Presence"); each change takes a {@code presence} stream position. */
public interface PresenceStore {
    /** @param state {@code online}, {@code unavailable} or {@code offline} */
    record Presence(String userId, String state, Optional<String> statusMsg, long lastActiveTs,
                    boolean currentlyActive) {}

    record Stored(Presence presence, long streamPos) {}

    /** Stores a user's new presence; returns its stream position. */
    long put(Presence presence);

    Optional<Stored> get(String userId);

    /** Presence changed after {@code since} up to {@code upTo} (inclusive). */
    List<Stored> changed(long since, long upTo);

    /** The presence of the given users that have any. */
    List<Stored> of(Collection<String> userIds);

    /** Every user whose presence is not {@code offline}. */
    List<Stored> notOffline();

    long currentPosition();
}

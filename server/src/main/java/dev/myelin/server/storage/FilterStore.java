package dev.myelin.server.storage;

import java.util.Optional;

/** Sync filters users uploaded, kept as the JSON they sent (validated before storing). */
public interface FilterStore {
    /** Stores a filter and returns its id, unique for the user. */
    long add(String userId, String json);

    Optional<String> get(String userId, long filterId);
}

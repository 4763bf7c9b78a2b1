package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;

/**
 * The user directory (spec: users.yaml): display names and avatars of known users, searchable by prefixes of the
 * words of their user id and display name. Kept current as events are persisted (joins, join rule changes) and as
 * local profiles change.
 */
public interface UserDirectoryStore {

    record Entry(String userId, Optional<String> displayName, Optional<String> avatarUrl) {}

    /**
     * Users every word of {@code words} (lower case, letters and digits) is a prefix of a word of, among those the
     * searcher may see: users who share a joined room with the searcher, members of public rooms, and, when
     * {@code allLocalUsers}, every local user. Exact and prefix matches of the whole term on the display name or
     * user id come first.
     *
     * @param term the search term as typed, lower-cased, for ranking
     * @param limit at most this many entries are returned; one more is looked for to tell whether the result was
     *              limited
     */
    List<Entry> search(String searcher, String term, List<String> words, int limit, boolean allLocalUsers);

    /** Takes a user out of the directory (deactivation). */
    void remove(String userId);
}

package dev.myelin.server.userdir;

import dev.myelin.server.storage.UserDirectoryStore;
import dev.myelin.server.storage.UserDirectoryStore.Entry;

import java.util.List;
import java.util.Locale;

/**
 * Searches the user directory (spec: users.yaml "User directory"): users who share a room with the searcher or
 * are in a public room, or with {@code searchAllLocalUsers} every local user; ranked exact matches first, then
 * prefix matches of the display name or user id.
 */
public final class UserDirectoryService {
    /** The most results one search returns, whatever limit the client asks for. */
    public static final int MAX_LIMIT = 100;

    private final UserDirectoryStore store;
    private final boolean searchAllLocalUsers;

    public UserDirectoryService(UserDirectoryStore store, boolean searchAllLocalUsers) {
        this.store = store;
        this.searchAllLocalUsers = searchAllLocalUsers;
    }

    /** A deactivated user is no longer found. */
    public void remove(String userId) {
        store.remove(userId);
    }

    public record Result(List<Entry> results, boolean limited) {}

    public Result search(String searcher, String term, int limit) {
        int capped = Math.clamp(limit, 1, MAX_LIMIT);
        String lower = term.strip().toLowerCase(Locale.ROOT);
        List<Entry> found = store.search(searcher, lower, DirectoryTerms.words(lower), capped, searchAllLocalUsers);
        boolean limited = found.size() > capped;
        return new Result(limited ? found.subList(0, capped) : found, limited);
    }
}

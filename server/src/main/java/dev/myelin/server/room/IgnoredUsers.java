package dev.myelin.server.room;

import java.util.Set;

/**
 * Whom a user ignores (spec: client-server-api "Ignoring Users", the {@code m.ignored_user_list} account data).
 * Events from ignored users are left out of what that user reads, and their invites are dropped.
 */
@FunctionalInterface
public interface IgnoredUsers {
    Set<String> ignoredBy(String userId);
}

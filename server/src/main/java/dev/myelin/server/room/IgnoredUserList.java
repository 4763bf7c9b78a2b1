package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@link IgnoredUsers} read from the user's global {@code m.ignored_user_list} account data (spec: "Ignoring Users"):
 * the keys of its {@code ignored_users} object. Malformed content ignores nobody; a user cannot ignore themselves.
 */
public final class IgnoredUserList implements IgnoredUsers {
    public static final String TYPE = "m.ignored_user_list";

    private final Function<String, Optional<String>> globalAccountData;

    /** @param globalAccountData the content (JSON text) of a user's global {@value #TYPE} account data, if set */
    public IgnoredUserList(Function<String, Optional<String>> globalAccountData) {
        this.globalAccountData = globalAccountData;
    }

    @Override
    public Set<String> ignoredBy(String userId) {
        Optional<String> content = globalAccountData.apply(userId);
        if (content.isEmpty()) {
            return Set.of();
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(content.get());
        } catch (IOException e) {
            return Set.of();
        }
        if (!(json.get("ignored_users") instanceof ObjectNode users)) {
            return Set.of();
        }
        var ignored = new LinkedHashSet<String>();
        for (var it = users.fieldNames(); it.hasNext(); ) {
            String user = it.next();
            if (user.startsWith("@") && !user.equals(userId)) {
                ignored.add(user);
            }
        }
        return Set.copyOf(ignored);
    }
}

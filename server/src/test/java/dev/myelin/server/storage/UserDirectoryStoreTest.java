package dev.myelin.server.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.UserDirectoryStore.Entry;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.storage.sql.SqlUserDirectoryStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The directory's search on both databases, where ranking and the visibility check part ways. */
class UserDirectoryStoreTest extends StoreContractTest {
    private static final String OWNER = "@owner:test.local";
    private static final String SEARCHER = "@searcher:test.local";

    @Test
    void findsVisibleUsersRankedBehindManyInvisibleOnes() {
        var rooms = new RoomService("test.local", SigningKey.generate("ed25519:t", new SecureRandom()),
                new SqlRoomStore(database), new InProcessNotifier(), Clock.systemUTC());
        String hidden = room(rooms, "invite");
        // More better-ranked candidates than the first chunk checked for visibility.
        for (int i = 0; i < 60; i++) {
            String user = "@hidden" + i + ":remote.example";
            rooms.send(hidden, new RoomService.Draft(OWNER, "m.room.member", user, membership("invite", null)),
                    Optional.empty());
            join(rooms, hidden, user, "Aaron Tag " + i);
        }
        String open = room(rooms, "public");
        rooms.join(open, SEARCHER, null);
        join(rooms, open, "@zoe:remote.example", "Zoe Tag");
        join(rooms, open, "@tagger:remote.example", "Tagger");

        var directory = new SqlUserDirectoryStore(database);
        // Prefix matches of the display name first, then the rest by name.
        assertThat(ids(directory.search(SEARCHER, "tag", List.of("tag"), 10, false)))
                .containsExactly("@tagger:remote.example", "@zoe:remote.example");
        // limit + 1 at most, to tell the caller the result was limited.
        assertThat(ids(directory.search(SEARCHER, "tag", List.of("tag"), 1, false))).hasSize(2);
        assertThat(ids(directory.search(SEARCHER, "zoe tag", List.of("zoe", "tag"), 10, false)))
                .containsExactly("@zoe:remote.example");
        // A member of the invite-only room sees its members: the exact match, then prefix matches by name.
        assertThat(ids(directory.search("@hidden0:remote.example", "aaron tag 1", List.of("aaron", "tag", "1"), 2,
                false))).containsExactly("@hidden1:remote.example", "@hidden10:remote.example",
                "@hidden11:remote.example");
    }

    private static String room(RoomService rooms, String joinRule) {
        return rooms.createRoom(RoomVersion.V12, OWNER, Json.MAPPER.createObjectNode(), id -> List.of(
                new RoomService.Draft(OWNER, "m.room.member", OWNER, membership("join", null)),
                new RoomService.Draft(OWNER, "m.room.join_rules", "",
                        Json.MAPPER.createObjectNode().put("join_rule", joinRule))));
    }

    private static void join(RoomService rooms, String roomId, String user, String displayName) {
        rooms.send(roomId, new RoomService.Draft(user, "m.room.member", user, membership("join", displayName)),
                Optional.empty());
    }

    private static ObjectNode membership(String membership, String displayName) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("membership", membership);
        if (displayName != null) {
            content.put("displayname", displayName);
        }
        return content;
    }

    private static List<String> ids(List<Entry> entries) {
        return entries.stream().map(Entry::userId).toList();
    }
}

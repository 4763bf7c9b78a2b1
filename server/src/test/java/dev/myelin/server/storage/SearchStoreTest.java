package dev.myelin.server.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.sql.Jdbc;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.storage.sql.SqlSearchStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The search index on both databases: indexing on persist, ranking, recency paging, redaction, backfill. */
class SearchStoreTest extends StoreContractTest {
    private static final String ALICE = "@alice:test.local";
    private static final Set<String> ALL_KEYS = Set.of(SearchStore.BODY, SearchStore.NAME, SearchStore.TOPIC);

    private RoomService rooms;
    private SqlSearchStore search;

    @BeforeEach
    void setUp() {
        rooms = new RoomService("test.local", SigningKey.generate("ed25519:t", new SecureRandom()),
                new SqlRoomStore(database), new InProcessNotifier(), Clock.systemUTC());
        search = new SqlSearchStore(database);
    }

    private String room() {
        return rooms.createRoom(RoomVersion.V12, ALICE, Json.MAPPER.createObjectNode(), id -> List.of(
                new RoomService.Draft(ALICE, "m.room.member", ALICE,
                        Json.MAPPER.createObjectNode().put("membership", "join"))));
    }

    private String send(String roomId, String type, String field, String text) {
        ObjectNode content = Json.MAPPER.createObjectNode().put(field, text);
        String stateKey = type.equals("m.room.message") ? null : "";
        return rooms.send(roomId, new RoomService.Draft(ALICE, type, stateKey, content), Optional.empty());
    }

    private long nid(String roomId) {
        return rooms.requireRoom(roomId).nid();
    }

    private List<String> ids(List<SearchStore.Hit> hits) {
        return hits.stream().map(hit -> rooms.store().event(hit.eventNid()).orElseThrow().eventId()).toList();
    }

    @Test
    void indexesBodiesNamesAndTopicsAsTheyArePersisted() {
        String room = room();
        String other = room();
        String cat = send(room, "m.room.message", "body", "the cat sat on the mat");
        String cats = send(room, "m.room.message", "body", "cats and cats and more cats");
        send(room, "m.room.encrypted", "ciphertext", "cat");
        String name = send(room, "m.room.name", "name", "Cat lovers");
        send(other, "m.room.message", "body", "a cat elsewhere");

        var hits = search.search(List.of(nid(room)), ALL_KEYS, "cat", SearchStore.Order.RANK, 0, 0, 10);
        assertThat(ids(hits)).containsExactlyInAnyOrder(cat, cats, name);
        assertThat(ids(hits).getFirst()).isEqualTo(cats);
        assertThat(search.count(List.of(nid(room)), ALL_KEYS, "cat")).isEqualTo(3);
        assertThat(ids(search.search(List.of(nid(room)), Set.of(SearchStore.NAME), "cat", SearchStore.Order.RANK,
                0, 0, 10))).containsExactly(name);
        assertThat(search.search(List.of(nid(room), nid(other)), ALL_KEYS, "cat", SearchStore.Order.RANK, 0, 0, 10))
                .hasSize(4);
        assertThat(search.search(List.of(nid(room)), ALL_KEYS, "cat mat", SearchStore.Order.RANK, 0, 0, 10))
                .hasSize(1);
        assertThat(search.search(List.of(), ALL_KEYS, "cat", SearchStore.Order.RANK, 0, 0, 10)).isEmpty();
        assertThat(search.search(List.of(nid(room)), ALL_KEYS, "\" *", SearchStore.Order.RANK, 0, 0, 10)).isEmpty();
        // The room and key are indexed as a token of their own (SQLite), never found as a word of the text.
        assertThat(search.search(List.of(nid(room)), ALL_KEYS, "r" + nid(room) + "b", SearchStore.Order.RANK, 0, 0,
                10)).isEmpty();

        var recent = search.search(List.of(nid(room)), ALL_KEYS, "cat", SearchStore.Order.RECENT, 0, 0, 2);
        assertThat(ids(recent)).containsExactly(name, cats);
        var older = search.search(List.of(nid(room)), ALL_KEYS, "cat", SearchStore.Order.RECENT,
                recent.getLast().eventNid(), 0, 2);
        assertThat(ids(older)).containsExactly(cat);

        rooms.redact(room, ALICE, cats, null, Optional.empty());
        assertThat(ids(search.search(List.of(nid(room)), Set.of(SearchStore.BODY), "cat", SearchStore.Order.RANK, 0,
                0, 10))).containsExactly(cat);
    }

    @Test
    void backfillIndexesEventsStoredBeforeTheIndex() {
        assertThat(search.backfill(10)).isFalse();
        String room = room();
        for (int i = 0; i < 7; i++) {
            send(room, "m.room.message", "body", "old message " + i);
        }
        // As if these events were stored before the migration created the index.
        database.write(c -> {
            Jdbc.update(c, "DELETE FROM event_search");
            return Jdbc.update(c, "INSERT INTO event_search_backfill (next_event_nid, last_event_nid) "
                    + "SELECT 0, MAX(event_nid) FROM events");
        });
        assertThat(search.count(List.of(nid(room)), ALL_KEYS, "message")).isZero();
        int batches = 0;
        while (search.backfill(3)) {
            batches++;
        }
        assertThat(batches).isGreaterThanOrEqualTo(2);
        assertThat(search.count(List.of(nid(room)), ALL_KEYS, "message")).isEqualTo(7);
        assertThat(search.backfill(3)).isFalse();
    }
}

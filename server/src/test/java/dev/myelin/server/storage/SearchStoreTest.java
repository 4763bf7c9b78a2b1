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

    private List<SearchStore.Hit> find(java.util.Collection<Long> roomNids, Set<String> keys, String term,
                                       SearchStore.Order order, long before, int skip, int limit) {
        return search.search(roomNids, keys, term, order, before, skip, limit).hits();
    }

    private long count(java.util.Collection<Long> roomNids, String term) {
        return search.search(roomNids, ALL_KEYS, term, SearchStore.Order.RANK, 0, 0, 1).count();
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

        var hits = find(List.of(nid(room)), ALL_KEYS, "cat", SearchStore.Order.RANK, 0, 0, 10);
        assertThat(ids(hits)).containsExactlyInAnyOrder(cat, cats, name);
        assertThat(ids(hits).getFirst()).isEqualTo(cats);
        assertThat(search.search(List.of(nid(room)), ALL_KEYS, "cat", SearchStore.Order.RECENT, 0, 0, 1).count())
                .isEqualTo(3);
        assertThat(ids(find(List.of(nid(room)), Set.of(SearchStore.NAME), "cat", SearchStore.Order.RANK,
                0, 0, 10))).containsExactly(name);
        assertThat(find(List.of(nid(room), nid(other)), ALL_KEYS, "cat", SearchStore.Order.RANK, 0, 0, 10))
                .hasSize(4);
        assertThat(find(List.of(nid(room)), ALL_KEYS, "cat mat", SearchStore.Order.RANK, 0, 0, 10))
                .hasSize(1);
        assertThat(find(List.of(), ALL_KEYS, "cat", SearchStore.Order.RANK, 0, 0, 10)).isEmpty();
        assertThat(find(List.of(nid(room)), ALL_KEYS, "\" *", SearchStore.Order.RANK, 0, 0, 10)).isEmpty();
        // The room and key are indexed as a token of their own (SQLite), never found as a word of the text.
        assertThat(find(List.of(nid(room)), ALL_KEYS, "r" + nid(room) + "b", SearchStore.Order.RANK, 0, 0,
                10)).isEmpty();

        var recent = find(List.of(nid(room)), ALL_KEYS, "cat", SearchStore.Order.RECENT, 0, 0, 2);
        assertThat(ids(recent)).containsExactly(name, cats);
        var older = find(List.of(nid(room)), ALL_KEYS, "cat", SearchStore.Order.RECENT,
                recent.getLast().eventNid(), 0, 2);
        assertThat(ids(older)).containsExactly(cat);

        rooms.redact(room, ALICE, cats, null, Optional.empty());
        assertThat(ids(find(List.of(nid(room)), Set.of(SearchStore.BODY), "cat", SearchStore.Order.RANK, 0,
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
        assertThat(count(List.of(nid(room)), "message")).isZero();
        int batches = 0;
        while (search.backfill(3)) {
            batches++;
        }
        assertThat(batches).isGreaterThanOrEqualTo(2);
        assertThat(count(List.of(nid(room)), "message")).isEqualTo(7);
        assertThat(search.backfill(3)).isFalse();
    }

    @Test
    void theWindowOfNewestMatchesIsCountedAndRankedAndRecentPagesReachPastIt() {
        var small = new SqlSearchStore(database, 4);
        String room = room();
        var sent = new java.util.ArrayList<String>();
        for (int i = 0; i < 7; i++) {
            sent.add(send(room, "m.room.message", "body", i == 1 ? "pear pear pear pear" : "pear number " + i));
        }
        String other = send(room(), "m.room.message", "body", "pear elsewhere");

        // The count stops at the window; rank order ranks the newest 4 only, so the oldest "pear pear pear pear"
        // (event 1) is not first.
        SearchStore.Page ranked = small.search(List.of(nid(room)), ALL_KEYS, "pear", SearchStore.Order.RANK, 0, 0, 10);
        assertThat(ranked.count()).isEqualTo(4);
        assertThat(ids(ranked.hits())).containsExactlyInAnyOrderElementsOf(sent.subList(3, 7));
        assertThat(count(List.of(nid(room)), "pear")).isEqualTo(7); // the usual window holds them all

        // Recent pages: from the window, then below it.
        var first = small.search(List.of(nid(room)), ALL_KEYS, "pear", SearchStore.Order.RECENT, 0, 0, 3);
        assertThat(ids(first.hits())).containsExactly(sent.get(6), sent.get(5), sent.get(4));
        assertThat(first.count()).isEqualTo(4);
        var second = small.search(List.of(nid(room)), ALL_KEYS, "pear", SearchStore.Order.RECENT,
                first.hits().getLast().eventNid(), 0, 3);
        assertThat(ids(second.hits())).containsExactly(sent.get(3), sent.get(2), sent.get(1));
        var third = small.search(List.of(nid(room)), ALL_KEYS, "pear", SearchStore.Order.RECENT,
                second.hits().getLast().eventNid(), 0, 3);
        assertThat(ids(third.hits())).containsExactly(sent.get(0));
        assertThat(third.hits().getFirst().roomNid()).isEqualTo(nid(room));
        assertThat(ids(small.search(List.of(nid(room)), ALL_KEYS, "pear", SearchStore.Order.RECENT, 0, 0, 10)
                .hits())).doesNotContain(other).hasSize(7);
    }
}

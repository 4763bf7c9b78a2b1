package dev.myelin.server.room;

import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.StorageException;
import dev.myelin.server.storage.StoreContractTest;
import dev.myelin.server.storage.sql.Jdbc;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A room upgrade is one transaction: a failure in the middle leaves neither room changed (issue #5). */
class RoomUpgradeTest extends StoreContractTest {
    private static final String ALICE = "@alice:test.local";

    private RoomService rooms;
    private RoomStore store;

    @BeforeEach
    void wire() {
        store = new SqlRoomStore(database);
        rooms = new RoomService("test.local", SigningKey.generate("ed25519:t", new SecureRandom()), store,
                new InProcessNotifier(), Clock.systemUTC());
    }

    private String publishedRoomWithAlias(String alias) {
        String roomId = RoomCreation.create(rooms, ALICE, new CreateRoomRequest(RoomVersion.V11, true,
                Optional.of("public_chat"), Optional.of("Old"), Optional.empty(), List.of(), false,
                Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
        assertThat(store.createAlias(alias, roomId, ALICE)).isTrue();
        store.setPublished(roomId, true);
        rooms.send(roomId, new RoomService.Draft(ALICE, "m.room.canonical_alias", "",
                Json.MAPPER.createObjectNode().put("alias", alias)), Optional.empty());
        return roomId;
    }

    /** A database trigger that makes storing any m.room.tombstone event fail: after the new room's events. */
    private void failOnTombstone() {
        database.write(c -> {
            String typeNid = "(SELECT type_nid FROM event_types WHERE type = 'm.room.tombstone')";
            if (backend == Backend.SQLITE) {
                execute(c, "CREATE TRIGGER fail_tombstone BEFORE INSERT ON events WHEN NEW.type_nid = " + typeNid
                        + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
            } else {
                execute(c, """
                        CREATE FUNCTION fail_tombstone() RETURNS trigger AS $$
                        BEGIN
                            IF NEW.type_nid = %s THEN RAISE EXCEPTION 'injected failure'; END IF;
                            RETURN NEW;
                        END $$ LANGUAGE plpgsql""".formatted(typeNid));
                execute(c, "CREATE TRIGGER fail_tombstone BEFORE INSERT ON events FOR EACH ROW"
                        + " EXECUTE FUNCTION fail_tombstone()");
            }
            return null;
        });
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (var statement = c.createStatement()) {
            statement.execute(sql);
        }
    }

    private long count(String table) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM " + table, row -> row.getLong(1))
                .orElseThrow());
    }

    private Map<StateKey, String> stateIds(RoomStore.Room room) {
        var ids = new java.util.HashMap<StateKey, String>();
        store.state(room.currentSnapshot()).forEach((key, event) -> ids.put(key, event.eventId()));
        return ids;
    }

    @Test
    void aFailureAfterTheNewRoomIsWrittenLeavesBothRoomsUnchanged() {
        String alias = "#old:test.local";
        String oldRoom = publishedRoomWithAlias(alias);
        RoomStore.Room before = store.room(oldRoom).orElseThrow();
        Map<StateKey, String> stateBefore = stateIds(before);
        List<String> extremitiesBefore = store.forwardExtremities(before.nid());
        long rooms = count("rooms");
        long events = count("events");
        long position = store.currentStreamPos();
        failOnTombstone();

        assertThatThrownBy(() -> new RoomUpgrade(this.rooms).upgrade(oldRoom, ALICE, RoomVersion.V12, List.of()))
                .isInstanceOf(StorageException.class).hasMessageContaining("injected failure");

        assertThat(count("rooms")).isEqualTo(rooms);
        assertThat(count("events")).isEqualTo(events);
        assertThat(store.currentStreamPos()).isEqualTo(position);
        RoomStore.Room after = store.room(oldRoom).orElseThrow();
        assertThat(after).isEqualTo(before);
        assertThat(stateIds(after)).isEqualTo(stateBefore);
        assertThat(store.forwardExtremities(after.nid())).isEqualTo(extremitiesBefore);
        assertThat(store.aliasRoom(alias)).contains(oldRoom);
        assertThat(store.publishedRooms()).extracting(RoomStore.Room::roomId).containsExactly(oldRoom);

        // Once the failure is gone, the same upgrade goes through whole.
        database.write(c -> {
            execute(c, "DROP TRIGGER fail_tombstone" + (backend == Backend.SQLITE ? "" : " ON events"));
            return null;
        });
        String newRoom = new RoomUpgrade(this.rooms).upgrade(oldRoom, ALICE, RoomVersion.V12, List.of());
        assertThat(store.aliasRoom(alias)).contains(newRoom);
        assertThat(store.publishedRooms()).extracting(RoomStore.Room::roomId).containsExactly(newRoom);
        Map<StateKey, RoomStore.StoredEvent> closed = store.state(store.room(oldRoom).orElseThrow().currentSnapshot());
        assertThat(closed).containsKey(new StateKey("m.room.tombstone", ""));
        assertThat(count("rooms")).isEqualTo(rooms + 1);
    }
}

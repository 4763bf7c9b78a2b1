package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.Backend;
import dev.myelin.server.storage.RoomStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * V30 and V31 over rooms stored before them, on both databases: the forward extremities keep their events (now with
 * their ids and depths), and the events stream goes on from where its row was (on PostgreSQL, from the sequence).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class V30V31MigrationTest {
    @Parameter
    Backend backend;

    @TempDir
    Path tempDir;

    private OldSchema old;

    @AfterEach
    void drop() {
        if (old != null) {
            old.drop();
        }
    }

    @Test
    void extremitiesAndStreamPositionsSurviveTheMigration() throws Exception {
        old = OldSchema.migratedTo(backend, tempDir, 29);
        try (var connection = old.connect()) {
            Jdbc.update(connection, "INSERT INTO rooms (room_nid, room_id, room_version, creator) VALUES (5, ?, ?, ?)",
                    "!r:x", "12", "@a:x");
            Jdbc.update(connection, "INSERT INTO event_types (type_nid, type) VALUES (1, 'm.room.message')");
            String event = "INSERT INTO events (event_nid, event_id, room_nid, type_nid, depth, stream_pos, json)"
                    + " VALUES (?, ?, 5, 1, ?, ?, ?)";
            byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
            Jdbc.update(connection, event, 10L, "$a", 7L, 41L, json);
            Jdbc.update(connection, event, 11L, "$b", 9L, 42L, json);
            Jdbc.update(connection, event, 12L, "$c", 8L, 43L, json);
            Jdbc.update(connection, "INSERT INTO forward_extremities (room_nid, event_nid) VALUES (5, 11), (5, 12)");
            Jdbc.update(connection, "INSERT INTO stream_positions (stream, position) VALUES ('events', 43)");
        }

        try (Database database = Database.open(old.settings())) {
            RoomStore store = new SqlRoomStore(database);
            assertThat(store.extremities(5)).isEqualTo(new RoomStore.Extremities(List.of("$b", "$c"), 9));
            assertThat(store.currentStreamPos()).isEqualTo(43);
            EventsStream.Numbering numbering = database.eventsStream().begin();
            long[] next = database.write(c -> numbering.next(c, 1));
            numbering.abandoned();
            assertThat(next).containsExactly(44);
        }
    }
}

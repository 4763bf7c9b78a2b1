package dev.myelin.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.CreateRoomRequest;
import dev.myelin.server.room.RoomCreation;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.RoomVersion;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fills a room with a long history before the server starts on the same database, through the server's own event
 * pipeline ({@link RoomService#sendAll}: built, authorized, signed and stored as a client's messages are, in batches
 * of 1,000 per transaction), so that {@code RoomLoad messages-in} can page through it. The room is public with
 * history visible to members who join later ({@code shared}). Prints the room id on the last line.
 * Usage: java -cp bench/target/benchmarks.jar dev.myelin.bench.RoomHistoryFill DATABASE SERVER_NAME MESSAGES
 * where DATABASE is a SQLite file path or a PostgreSQL JDBC URL (user and password in PGUSER, PGPASSWORD).
 */
public final class RoomHistoryFill {
    private static final int BATCH = 1_000;

    public static void main(String[] args) {
        String target = args[0];
        String serverName = args[1];
        int messages = Integer.parseInt(args[2]);
        var settings = target.startsWith("jdbc:postgresql:")
                ? DatabaseSettings.postgres(target, System.getenv().getOrDefault("PGUSER", "myelin"),
                System.getenv().getOrDefault("PGPASSWORD", ""), 2)
                : DatabaseSettings.sqlite(Path.of(target));
        String sender = "@history:" + serverName;
        try (Database database = Database.open(settings)) {
            var rooms = new RoomService(serverName, SigningKey.generate("ed25519:fill", new SecureRandom()),
                    new SqlRoomStore(database), new InProcessNotifier(), Clock.systemUTC());
            String roomId = RoomCreation.create(rooms, sender, new CreateRoomRequest(RoomVersion.V12, false,
                    Optional.of("public_chat"), Optional.of("History"), Optional.empty(), List.of(), false,
                    Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
            long started = System.nanoTime();
            for (int sent = 0; sent < messages; sent += BATCH) {
                var drafts = new ArrayList<RoomService.Draft>();
                for (int i = sent; i < Math.min(messages, sent + BATCH); i++) {
                    ObjectNode content = Json.MAPPER.createObjectNode().put("msgtype", "m.text")
                            .put("body", "History message number " + i + " with a typical short sentence of chat.");
                    drafts.add(new RoomService.Draft(sender, "m.room.message", null, content));
                }
                rooms.sendAll(roomId, drafts);
            }
            System.out.printf("filled with %d messages in %.1f s%n", messages, (System.nanoTime() - started) / 1e9);
            System.out.println(roomId);
        }
    }
}

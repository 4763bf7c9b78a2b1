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

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Database bytes per stored event in a big room, on SQLite: creates a public room, joins {@code members} users,
 * then sends {@code messages} text messages and {@code stateChanges} member profile changes, measuring the database
 * file (WAL checkpointed by closing) after each phase.
 * Run: java -cp bench/target/benchmarks.jar dev.myelin.bench.RoomStorageSize [members] [messages] [stateChanges]
 */
public final class RoomStorageSize {
    public static void main(String[] args) throws Exception {
        int members = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int stateChanges = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        Path dir = Files.createTempDirectory("myelin-room-size");
        Path file = dir.resolve("myelin.db");
        var settings = DatabaseSettings.sqlite(file);
        var key = SigningKey.generate("ed25519:bench", new SecureRandom());

        Database database = Database.open(settings);
        RoomService rooms = service(database, key);
        String creator = "@creator:bench.local";
        String roomId = RoomCreation.create(rooms, creator, new CreateRoomRequest(RoomVersion.V12, true,
                Optional.of("public_chat"), Optional.of("Big room"), Optional.empty(), List.of(), false,
                Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
        for (int i = 0; i < members; i++) {
            rooms.join(roomId, user(i), null);
        }
        database.close();
        long afterJoins = Files.size(file);

        database = Database.open(settings);
        rooms = service(database, key);
        long jsonBytes = 0;
        long messagesStart = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            ObjectNode content = Json.MAPPER.createObjectNode().put("msgtype", "m.text")
                    .put("body", "Message number " + i + " with a typical short sentence of chat text.");
            String id = rooms.send(roomId, new RoomService.Draft(user(i % members), "m.room.message", null, content),
                    Optional.empty());
            jsonBytes += rooms.store().event(id).orElseThrow().json().length;
        }
        long messagesNanos = System.nanoTime() - messagesStart;
        database.close();
        long afterMessages = Files.size(file);

        database = Database.open(settings);
        rooms = service(database, key);
        long stateJsonBytes = 0;
        long stateStart = System.nanoTime();
        for (int i = 0; i < stateChanges; i++) {
            String user = user(i % members);
            ObjectNode content = Json.MAPPER.createObjectNode().put("membership", "join")
                    .put("displayname", "User " + (i % members) + " v" + i);
            String id = rooms.send(roomId, new RoomService.Draft(user, "m.room.member", user, content),
                    Optional.empty());
            stateJsonBytes += rooms.store().event(id).orElseThrow().json().length;
        }
        long stateNanos = System.nanoTime() - stateStart;
        database.close();
        long afterState = Files.size(file);

        System.out.printf("room of %d members: db %,d bytes after joins%n", members, afterJoins);
        System.out.printf("messages: %d, db growth %,d bytes = %.0f bytes/message (event JSON %.0f bytes)%n",
                messages, afterMessages - afterJoins, (afterMessages - afterJoins) / (double) messages,
                jsonBytes / (double) messages);
        System.out.printf("state changes: %d, db growth %,d bytes = %.0f bytes/state change (event JSON %.0f bytes)%n",
                stateChanges, afterState - afterMessages, (afterState - afterMessages) / (double) stateChanges,
                stateJsonBytes / (double) stateChanges);
        System.out.printf("snapshot chain bound: %d deltas%n", SqlRoomStore.DEFAULT_MAX_CHAIN_LENGTH);
        System.out.printf("sequential sends (one writer, each its own transaction, plus a read-back): "
                + "%.2f ms/message, %.2f ms/state change%n", messagesNanos / 1e6 / messages,
                stateNanos / 1e6 / stateChanges);
    }

    private static RoomService service(Database database, SigningKey key) {
        return new RoomService("bench.local", key, new SqlRoomStore(database), new InProcessNotifier(),
                Clock.systemUTC());
    }

    private static String user(int i) {
        return "@user" + i + ":bench.local";
    }
}

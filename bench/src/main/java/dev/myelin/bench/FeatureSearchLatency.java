package dev.myelin.bench;

import dev.myelin.server.http.Json;
import dev.myelin.server.room.CreateRoomRequest;
import dev.myelin.server.room.RoomCreation;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.search.SearchRequest;
import dev.myelin.server.search.SearchService;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.SearchStore;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.Dialect;
import dev.myelin.server.storage.sql.Jdbc;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.storage.sql.SqlSearchStore;
import dev.myelin.server.storage.sql.SqlUserDirectoryStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.server.userdir.DirectoryTerms;
import dev.myelin.server.userdir.UserDirectoryService;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.RoomVersion;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Latency of POST /search's work (SearchService: full-text query, visibility checks, client format) over a large
 * store, and of user directory search over many users, on SQLite (or PostgreSQL with a JDBC URL). The messages and
 * users are inserted directly with SQL in big batches (the event pipeline would take hours for a million events);
 * the rooms, memberships and the searching user are real.
 * Run: java -cp bench/target/benchmarks.jar dev.myelin.bench.FeatureSearchLatency [messages=1000000]
 *      [users=100000] [queries=300] [jdbc-url user password]
 */
public final class FeatureSearchLatency {
    private static final int ROOMS = 200;
    private static final int SEARCHER_ROOMS = 20;
    private static final int BATCH = 20_000;

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int users = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Path dir = Files.createTempDirectory("myelin-search-bench");
        var settings = args.length > 5 ? DatabaseSettings.postgres(args[3], args[4], args[5], 4)
                : DatabaseSettings.sqlite(dir.resolve("myelin.db"));
        try (Database database = Database.open(settings)) {
            var rooms = new RoomService("bench.local", SigningKey.generate("ed25519:b", new SecureRandom()),
                    new SqlRoomStore(database), new InProcessNotifier(), Clock.systemUTC());
            var reader = new RoomReader(rooms, Clock.systemUTC());
            String owner = "@owner:bench.local";
            String searcher = "@searcher:bench.local";
            var roomIds = new ArrayList<String>();
            for (int i = 0; i < ROOMS; i++) {
                String roomId = RoomCreation.create(rooms, owner, new CreateRoomRequest(RoomVersion.V12, true,
                        Optional.of("public_chat"), Optional.of("Room " + i), Optional.empty(), List.of(), false,
                        Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
                roomIds.add(roomId);
                if (i < SEARCHER_ROOMS) {
                    rooms.join(roomId, searcher, null);
                }
            }
            rooms.send(roomIds.getFirst(), new RoomService.Draft(owner, "m.room.message", null,
                    Json.MAPPER.createObjectNode().put("body", "first")), Optional.empty());
            Vocabulary words = new Vocabulary(5000, new Random(1));
            long start = System.nanoTime();
            insertMessages(database, rooms, roomIds, messages, words);
            System.out.printf("inserted %,d messages in %d rooms in %.0f s%n", messages, ROOMS,
                    (System.nanoTime() - start) / 1e9);

            var search = new SearchService(rooms, reader, new SqlSearchStore(database));
            var random = new Random(2);
            for (SearchStore.Order order : SearchStore.Order.values()) {
                for (String kind : new String[]{"typical word", "common word", "two words"}) {
                    var times = new ArrayList<Long>();
                    int found = 0;
                    for (int q = 0; q < queries + 20; q++) {
                        String term = switch (kind) {
                            case "typical word" -> words.uniform(random);
                            case "common word" -> words.word(random.nextInt(20));
                            default -> words.zipf(random) + " " + words.zipf(random);
                        };
                        var request = new SearchRequest(term, Set.of(SearchStore.BODY), Optional.empty(), Set.of(),
                                pdu -> true, 10, order, false, 0, 0, false, false, Set.of());
                        long t = System.nanoTime();
                        var result = search.searchRoomEvents(searcher, "DEV", request, Optional.empty());
                        if (q >= 20) {
                            times.add(System.nanoTime() - t);
                            found += result.path("results").size();
                        }
                    }
                    report("search " + order.name().toLowerCase() + ", " + kind + " (" + found / queries
                            + " results avg)", times);
                }
            }

            start = System.nanoTime();
            insertUsers(database, roomIds.getFirst(), users, new Random(3));
            System.out.printf("inserted %,d directory users in %.0f s%n", users, (System.nanoTime() - start) / 1e9);
            var directory = new UserDirectoryService(new SqlUserDirectoryStore(database), false);
            for (int length : new int[]{2, 3, 5}) {
                var times = new ArrayList<Long>();
                for (int q = 0; q < queries + 20; q++) {
                    String name = Names.first(random);
                    String term = name.substring(0, Math.min(length, name.length()));
                    long t = System.nanoTime();
                    directory.search(searcher, term, 10);
                    if (q >= 20) {
                        times.add(System.nanoTime() - t);
                    }
                }
                report("user directory, " + length + "-letter prefix", times);
            }
        }
    }

    private static void insertMessages(Database database, RoomService rooms, List<String> roomIds, int messages,
                                       Vocabulary words) {
        var roomNids = new long[roomIds.size()];
        var snapshots = new long[roomIds.size()];
        for (int i = 0; i < roomIds.size(); i++) {
            var room = rooms.requireRoom(roomIds.get(i));
            roomNids[i] = room.nid();
            snapshots[i] = room.currentSnapshot();
        }
        Dialect dialect = database.dialect();
        var random = new Random(4);
        long[] next = database.read(c -> new long[]{
                Jdbc.queryOne(c, "SELECT MAX(event_nid) FROM events", r -> r.getLong(1)).orElseThrow() + 1,
                Jdbc.queryOne(c, "SELECT MAX(stream_pos) FROM events", r -> r.getLong(1)).orElseThrow() + 1,
                Jdbc.queryOne(c, "SELECT type_nid FROM event_types WHERE type = 'm.room.message'",
                        r -> r.getLong(1)).orElseThrow()});
        long typeNid = next[2];
        for (int done = 0; done < messages; done += BATCH) {
            int count = Math.min(BATCH, messages - done);
            long firstNid = next[0] + done;
            long firstPos = next[1] + done;
            database.write(c -> {
                try (PreparedStatement events = c.prepareStatement("""
                        INSERT INTO events (event_nid, event_id, room_nid, type_nid, depth, stream_pos,
                                            state_before_nid, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
                     PreparedStatement index = c.prepareStatement(dialect == Dialect.SQLITE
                             ? "INSERT INTO event_search (rowid, value, room_nid, scope) VALUES (?, ?, ?, 'r' || ? || 'b')"
                             : "INSERT INTO event_search (event_nid, vector, room_nid, key)"
                             + " VALUES (?, to_tsvector('english', ?), ?, 'content.body')")) {
                    for (int i = 0; i < count; i++) {
                        long nid = firstNid + i;
                        int room = random.nextInt(roomNids.length);
                        String body = words.sentence(random);
                        String eventId = "$bench" + nid;
                        var json = Json.MAPPER.createObjectNode();
                        json.put("type", "m.room.message").put("room_id", roomIds.get(room))
                                .put("sender", "@owner:bench.local").put("origin_server_ts", 1_700_000_000_000L + nid)
                                .put("depth", nid);
                        json.putObject("content").put("msgtype", "m.text").put("body", body);
                        events.setLong(1, nid);
                        events.setString(2, eventId);
                        events.setLong(3, roomNids[room]);
                        events.setLong(4, typeNid);
                        events.setLong(5, nid);
                        events.setLong(6, firstPos + i);
                        events.setLong(7, snapshots[room]);
                        events.setBytes(8, Json.MAPPER.writeValueAsBytes(json));
                        events.addBatch();
                        index.setLong(1, nid);
                        index.setString(2, body);
                        index.setLong(3, roomNids[room]);
                        if (dialect == Dialect.SQLITE) {
                            index.setLong(4, roomNids[room]);
                        }
                        index.addBatch();
                    }
                    events.executeBatch();
                    index.executeBatch();
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                return null;
            });
        }
        long last = next[1] + messages - 1;
        database.write(c -> Jdbc.update(c, "UPDATE stream_positions SET position = ? WHERE stream = 'events'", last));
        analyze(database);
    }

    /** PostgreSQL plans from statistics that autovacuum refreshes some time after a bulk insert: refresh them now. */
    private static void analyze(Database database) {
        if (database.dialect() == Dialect.POSTGRES) {
            database.write(c -> Jdbc.update(c, "ANALYZE"));
        }
    }

    /** Users with first and last names, all in one public room the searcher is in. */
    private static void insertUsers(Database database, String roomId, int users, Random random) {
        long roomNid = database.read(c -> Jdbc.queryOne(c, "SELECT room_nid FROM rooms WHERE room_id = ?",
                r -> r.getLong(1), roomId).orElseThrow());
        for (int done = 0; done < users; done += BATCH) {
            int count = Math.min(BATCH, users - done);
            int offset = done;
            database.write(c -> {
                try (var directory = c.prepareStatement("INSERT INTO user_directory (user_id, display_name, "
                        + "avatar_url, is_local) VALUES (?, ?, NULL, TRUE)");
                     var terms = c.prepareStatement("INSERT INTO user_directory_terms (term, user_id, name)"
                             + " VALUES (?, ?, lower(?))");
                     var members = c.prepareStatement("INSERT INTO room_memberships (room_nid, user_id, membership,"
                             + " event_nid, forgotten) VALUES (?, ?, 'join', 0, FALSE)")) {
                    for (int i = 0; i < count; i++) {
                        String name = Names.first(random) + " " + Names.last(random);
                        String userId = "@" + name.toLowerCase().replace(' ', '.') + (offset + i) + ":bench.local";
                        directory.setString(1, userId);
                        directory.setString(2, name);
                        directory.addBatch();
                        for (String term : DirectoryTerms.ofUser(userId, name)) {
                            terms.setString(1, term);
                            terms.setString(2, userId);
                            terms.setString(3, name);
                            terms.addBatch();
                        }
                        members.setLong(1, roomNid);
                        members.setString(2, userId);
                        members.addBatch();
                    }
                    directory.executeBatch();
                    terms.executeBatch();
                    members.executeBatch();
                }
                return null;
            });
        }
        analyze(database);
    }

    private static void report(String what, List<Long> nanos) {
        Collections.sort(nanos);
        System.out.printf("%-60s p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  (%d queries)%n", what,
                at(nanos, 50), at(nanos, 95), at(nanos, 99), nanos.size());
    }

    private static double at(List<Long> sorted, int percentile) {
        int index = Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }

    /** Made-up words with a Zipf-like frequency, so some are in many messages and most in few. */
    private static final class Vocabulary {
        private static final String[] SYLLABLES = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "pa",
                "do", "fe", "gu", "ha", "ji", "ko", "ly", "mo", "nu", "pi"};
        private final List<String> words = new ArrayList<>();

        Vocabulary(int size, Random random) {
            var seen = new java.util.HashSet<String>();
            while (words.size() < size) {
                var word = new StringBuilder();
                int syllables = 2 + random.nextInt(3);
                for (int i = 0; i < syllables; i++) {
                    word.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
                }
                if (seen.add(word.toString())) {
                    words.add(word.toString());
                }
            }
        }

        String word(int rank) {
            return words.get(rank);
        }

        String zipf(Random random) {
            double u = random.nextDouble();
            return words.get((int) (words.size() * u * u * u));
        }

        String uniform(Random random) {
            return words.get(random.nextInt(words.size()));
        }

        String sentence(Random random) {
            var out = new StringBuilder();
            int length = 6 + random.nextInt(10);
            for (int i = 0; i < length; i++) {
                out.append(i == 0 ? "" : " ").append(zipf(random));
            }
            return out.toString();
        }
    }

    private static final class Names {
        private static final String[] FIRST = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
                "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
                "yasmin", "zoe", "adrian", "beatrice", "cedric", "delphine", "emil", "fatima", "gustav", "hana",
                "igor", "jonas", "kira", "leon", "maya", "noah", "oskar", "paula", "quentin", "rosa", "stefan"};
        private static final String[] LAST = {"smith", "jones", "garcia", "miller", "davis", "martin", "bernard",
                "dubois", "moreau", "laurent", "simon", "michel", "muller", "schmidt", "schneider", "fischer",
                "weber", "meyer", "wagner", "becker", "rossi", "russo", "ferrari", "esposito", "bianchi", "romano",
                "silva", "santos", "oliveira", "souza", "kowalski", "nowak", "novak", "horvat", "kovac", "tanaka"};

        static String first(Random random) {
            return FIRST[random.nextInt(FIRST.length)];
        }

        static String last(Random random) {
            return LAST[random.nextInt(LAST.length)];
        }
    }
}

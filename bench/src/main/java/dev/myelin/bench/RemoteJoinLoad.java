package dev.myelin.bench;

import dev.myelin.server.Homeserver;
import dev.myelin.server.config.ConfigLoader;
import dev.myelin.server.config.ConfigTemplate;
import dev.myelin.server.room.CreateRoomRequest;
import dev.myelin.server.room.RoomCreation;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.http.Json;
import dev.myelin.spec.event.RoomVersion;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Time for a user of one Myelin to join a room of {@code members} members hosted on another Myelin, both in this
 * process on SQLite, federating over TLS on loopback (self-signed certificates made with the {@code openssl} command).
 * The room's members are inserted on the resident server in batches (no federation). Prints the time until the join
 * returns (partial state, MSC3706: the user can send and sync from then on) and the time until the background resync
 * has stored the full state (what a join without partial state makes the user wait for, at least: the full state
 * fetched, every event verified and stored), for {@code joins} rooms in turn.
 * Run: java -cp bench/target/benchmarks.jar dev.myelin.bench.RemoteJoinLoad [members] [joins]
 */
public final class RemoteJoinLoad {
    public static void main(String[] args) throws Exception {
        int members = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int joins = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (Homeserver resident = start("resident"); Homeserver joining = start("joining")) {
            String residentName = resident.config().serverName();
            for (int round = 0; round < joins; round++) {
                RoomService rooms = resident.rooms().service();
                String creator = "@creator:" + residentName;
                String roomId = RoomCreation.create(rooms, creator, new CreateRoomRequest(RoomVersion.V12, true,
                        Optional.of("public_chat"), Optional.of("Big room"), Optional.empty(), List.of(), false,
                        Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
                long fillStart = System.nanoTime();
                var batch = new ArrayList<RoomService.Draft>();
                for (int i = 0; i < members - 1; i++) {
                    String user = "@m" + round + "_" + i + ":" + residentName;
                    batch.add(new RoomService.Draft(user, "m.room.member", user, rooms.joinContent(user, null)));
                    if (batch.size() == 500 || i == members - 2) {
                        rooms.sendAll(roomId, batch);
                        batch.clear();
                    }
                }
                System.out.printf("room %d: %d members inserted in %d ms%n", round, members,
                        (System.nanoTime() - fillStart) / 1_000_000);

                String user = "@joiner" + round + ":" + joining.config().serverName();
                long start = System.nanoTime();
                joining.rooms().service().join(roomId, user, null, List.of(residentName));
                long joined = System.nanoTime();
                while (joining.rooms().service().store().room(roomId).orElseThrow().partialState()) {
                    Thread.sleep(10);
                }
                long full = System.nanoTime();
                System.out.printf("room %d: join returned in %d ms (partial state); full state stored after %d ms;"
                                + " %d joined members known%n", round, (joined - start) / 1_000_000,
                        (full - start) / 1_000_000,
                        joining.rooms().service().store().members(roomId, "join").size());
            }
        }
        System.out.println("loadavg " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /**
     * A Myelin on SQLite in a temp folder, federating over TLS on loopback (also used by {@link InboundPduLoad} and
     * {@link FanOutLoad}), with any further config overrides.
     */
    static Homeserver start(String name, String... overrides) throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory("myelin-join-" + name);
        Path key = dir.resolve("tls.key");
        Path certificate = dir.resolve("tls.crt");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", certificate.toString(),
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost")
                .redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        if (openssl.waitFor() != 0) {
            throw new IllegalStateException("openssl could not make a certificate");
        }
        Path file = dir.resolve("myelin.yaml");
        ConfigTemplate.writeIfMissing(file, "localhost:" + port, 0);
        var settings = new ArrayList<>(List.of("listeners.0.bind_address=127.0.0.1",
                "log_level=warn", "server_name=localhost:" + port, "listeners.1.port=" + port,
                "listeners.1.bind_address=127.0.0.1", "listeners.1.resources=[federation]",
                "listeners.1.tls.certificate=" + certificate, "listeners.1.tls.private_key=" + key,
                "federation.tls_verify=false", "federation.allow_private_addresses=true"));
        settings.addAll(List.of(overrides));
        return Homeserver.start(ConfigLoader.load(file, settings));
    }
}

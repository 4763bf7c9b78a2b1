package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FakeAppService;
import dev.myelin.server.testing.FakeAppService.Answer;
import dev.myelin.server.testing.FakeAppService.Received;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.myelin.server.client.FeatureHttpSupport.eventually;
import static dev.myelin.server.client.RoomsHttpTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Application Service API over HTTP with a fake application service on loopback, on SQLite and PostgreSQL:
 * transactions (order, hs_token, retries), identity assertion, registration and login, exclusive namespaces, user and
 * alias queries, ping and third-party lookups.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class AppServiceHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final String AS_TOKEN = "as-secret";
    private static final String HS_TOKEN = "hs-secret";
    private static final String BOT = "@bridgebot:test.local";
    private static final AtomicInteger TXN = new AtomicInteger();
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Parameter
    Backend backend;

    static FakeAppService appService;
    static Path bridgeRegistration;
    static TestHomeserver server;
    static TestClient client;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        appService = new FakeAppService();
        Path dir = Files.createTempDirectory("myelin-as");
        Path bridge = appService.writeRegistration(dir, "bridge", AS_TOKEN, HS_TOKEN, "bridgebot", """
                  users:
                    - exclusive: true
                      regex: "@_bridge_.*:test\\\\.local"
                  aliases:
                    - exclusive: true
                      regex: "#_bridge_.*:test\\\\.local"
                  rooms: []
                """, "rate_limited: false\nprotocols: [\"fakenet\"]\nsome.bridge.extension: true\n");
        bridgeRegistration = bridge;
        Path noUrl = dir.resolve("nourl.yaml");
        Files.writeString(noUrl, """
                id: nourl
                url: null
                as_token: nourl-as
                hs_token: nourl-hs
                sender_localpart: nourlbot
                namespaces: {}
                """);
        Path down = dir.resolve("down.yaml");
        Files.writeString(down, """
                id: down
                url: "http://127.0.0.1:%d"
                as_token: down-as
                hs_token: down-hs
                sender_localpart: downbot
                namespaces: {}
                """.formatted(freePort()));
        server = TestHomeserver.start(backend, "registration.mode=open",
                "app_service_config_files.0=" + bridge, "app_service_config_files.1=" + noUrl,
                "app_service_config_files.2=" + down);
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
        appService.close();
    }

    private static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static void error(Reply reply, int status, String errcode) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.errcode()).as(reply.body()).isEqualTo(errcode);
    }

    /** Registers a virtual user through the application service; returns its user id. */
    static String virtualUser() {
        String localpart = "_bridge_u" + NAMES.incrementAndGet() + "_" + System.nanoTime() % 100000;
        return ok(client.request("POST", V3 + "/register", "{\"type\":\"m.login.application_service\","
                + "\"username\":\"" + localpart + "\",\"inhibit_login\":true}", AS_TOKEN)).path("user_id").asText();
    }

    static String human() {
        return AccountsHttpTest.register(client, AccountsHttpTest.newName(), "correct horse battery", "")
                .path("access_token").asText();
    }

    static String as(String path, String userId) {
        return path + (path.contains("?") ? "&" : "?") + "user_id=" + enc(userId);
    }

    static String send(String token, String roomId, String body) {
        return sendAs(token, "", roomId, body);
    }

    /** Sends a message, as the application service's user {@code userId} when not empty. */
    static String sendAs(String token, String userId, String roomId, String body) {
        String path = V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/as" + TXN.incrementAndGet();
        return ok(client.request("PUT", userId.isEmpty() ? path : as(path, userId),
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}", token)).path("event_id").asText();
    }

    /** Every event delivered (acknowledged with 200) for a room, in delivery order. */
    static List<JsonNode> deliveredIn(String roomId) {
        var seen = new java.util.HashSet<String>();
        var events = new ArrayList<JsonNode>();
        for (Received txn : appService.transactions()) {
            if (txn.status() != 200 || !seen.add(txn.path())) {
                continue;
            }
            for (JsonNode event : txn.json().path("events")) {
                if (roomId.equals(event.path("room_id").asText())) {
                    events.add(event);
                }
            }
        }
        return events;
    }

    @Test
    void theAsTokenActsAsTheSenderWithoutDevice() {
        JsonNode whoami = ok(client.get(V3 + "/account/whoami", AS_TOKEN));
        assertThat(whoami.path("user_id").asText()).isEqualTo(BOT);
        assertThat(whoami.has("device_id")).isFalse();
        // The sender of a service without URL exists too.
        assertThat(ok(client.get(V3 + "/account/whoami", "nourl-as")).path("user_id").asText())
                .isEqualTo("@nourlbot:test.local");
    }

    @Test
    void identityAssertionFollowsTheNamespace() {
        String virtual = virtualUser();
        assertThat(ok(client.get(as(V3 + "/account/whoami", virtual), AS_TOKEN)).path("user_id").asText())
                .isEqualTo(virtual);
        error(client.get(as(V3 + "/account/whoami", "@someone:test.local"), AS_TOKEN), 403, "M_EXCLUSIVE");
        error(client.get(as(V3 + "/account/whoami", "@_bridge_never_registered:test.local"), AS_TOKEN), 403,
                "M_FORBIDDEN");
        error(client.get(as(V3 + "/account/whoami", "@_bridge_x:elsewhere.org"), AS_TOKEN), 403, "M_EXCLUSIVE");
        // Another service's token cannot act as this one's users.
        error(client.get(as(V3 + "/account/whoami", virtual), "nourl-as"), 403, "M_EXCLUSIVE");
        error(client.get(as(V3 + "/account/whoami", virtual) + "&device_id=NOPE", AS_TOKEN), 400, "M_UNKNOWN_DEVICE");
    }

    @Test
    void loginGivesADeviceThatCanBeAsserted() {
        String virtual = virtualUser();
        JsonNode flows = ok(client.get(V3 + "/login"));
        assertThat(flows.path("flows").findValuesAsText("type")).contains("m.login.application_service");
        JsonNode login = ok(client.request("POST", V3 + "/login", "{\"type\":\"m.login.application_service\","
                + "\"identifier\":{\"type\":\"m.id.user\",\"user\":\"" + virtual + "\"},\"device_id\":\"BRIDGEDEV\"}",
                AS_TOKEN));
        assertThat(login.path("user_id").asText()).isEqualTo(virtual);
        assertThat(login.path("device_id").asText()).isEqualTo("BRIDGEDEV");
        assertThat(ok(client.get(V3 + "/account/whoami", login.path("access_token").asText())).path("user_id").asText())
                .isEqualTo(virtual);
        JsonNode asserted = ok(client.get(as(V3 + "/account/whoami", virtual) + "&device_id=BRIDGEDEV", AS_TOKEN));
        assertThat(asserted.path("device_id").asText()).isEqualTo("BRIDGEDEV");

        String body = "{\"type\":\"m.login.application_service\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"%s\"}}";
        error(client.request("POST", V3 + "/login", body.formatted("someone"), AS_TOKEN), 400, "M_EXCLUSIVE");
        error(client.request("POST", V3 + "/login", body.formatted(virtual)), 401, "M_MISSING_TOKEN");
        error(client.request("POST", V3 + "/login", body.formatted(virtual), "wrong"), 401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void registrationRespectsNamespaces() {
        String type = "{\"type\":\"m.login.application_service\",\"username\":\"%s\"}";
        error(client.request("POST", V3 + "/register", type.formatted("plainname"), AS_TOKEN), 400, "M_EXCLUSIVE");
        error(client.request("POST", V3 + "/register", type.formatted("_bridge_a")), 401, "M_MISSING_TOKEN");
        error(client.request("POST", V3 + "/register", type.formatted("_bridge_a"), "wrong"), 401, "M_UNKNOWN_TOKEN");
        // Without inhibit_login the service gets a session for the new user.
        JsonNode registered = ok(client.request("POST", V3 + "/register",
                type.formatted("_bridge_withlogin" + System.nanoTime() % 100000), AS_TOKEN));
        assertThat(registered.path("access_token").asText()).isNotEmpty();
        String taken = registered.path("user_id").asText();
        error(client.request("POST", V3 + "/register", type.formatted(taken.substring(1, taken.indexOf(':'))),
                AS_TOKEN), 400, "M_USER_IN_USE");
        // Humans cannot take names in the exclusive namespace, nor the sender's.
        error(client.request("POST", V3 + "/register", "{\"username\":\"_bridge_human\",\"password\":\"correct horse\"}"),
                400, "M_EXCLUSIVE");
        error(client.request("POST", V3 + "/register", "{\"username\":\"bridgebot\",\"password\":\"correct horse\"}"),
                400, "M_USER_IN_USE");
        error(client.get(V3 + "/register/available?username=_bridge_free"), 400, "M_EXCLUSIVE");
        // Humans cannot create aliases in the exclusive namespace; the service can.
        String human = human();
        String roomId = ok(client.request("POST", V3 + "/createRoom", "{}", human)).path("room_id").asText();
        error(client.request("PUT", V3 + "/directory/room/" + enc("#_bridge_human:test.local"),
                "{\"room_id\":\"" + roomId + "\"}", human), 400, "M_EXCLUSIVE");
        error(client.request("POST", V3 + "/createRoom", "{\"room_alias_name\":\"_bridge_mine\"}", human), 400,
                "M_EXCLUSIVE");
        String asRoom = ok(client.request("POST", V3 + "/createRoom", "{}", AS_TOKEN)).path("room_id").asText();
        ok(client.request("PUT", V3 + "/directory/room/" + enc("#_bridge_ok" + NAMES.incrementAndGet() + ":test.local"),
                "{\"room_id\":\"" + asRoom + "\"}", AS_TOKEN));
        error(client.request("PUT", V3 + "/directory/room/" + enc("#outside" + NAMES.incrementAndGet() + ":test.local"),
                "{\"room_id\":\"" + asRoom + "\"}", AS_TOKEN), 400, "M_EXCLUSIVE");
    }

    @Test
    void transactionsCarryInterestingEventsInOrder() throws Exception {
        String human = human();
        String virtual = virtualUser();
        String roomId = ok(client.request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}", human))
                .path("room_id").asText();
        ok(client.request("POST", V3 + "/rooms/" + enc(roomId) + "/invite", "{\"user_id\":\"" + virtual + "\"}", human));
        ok(client.request("POST", as(V3 + "/join/" + enc(roomId), virtual), "{}", AS_TOKEN));
        var sent = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            sent.add(send(human, roomId, "hello " + i));
        }
        String reply = sendAs(AS_TOKEN, virtual, roomId, "bot speaks");
        // A room without any of the service's users is not its business.
        String otherRoom = ok(client.request("POST", V3 + "/createRoom", "{}", human)).path("room_id").asText();
        send(human, otherRoom, "private");

        eventually(() -> deliveredIn(roomId).stream().anyMatch(e -> e.path("event_id").asText().equals(reply)));
        List<JsonNode> events = deliveredIn(roomId);
        List<String> ids = events.stream().map(e -> e.path("event_id").asText()).toList();
        assertThat(ids).containsSubsequence(sent);
        assertThat(ids.indexOf(sent.getLast())).isLessThan(ids.indexOf(reply));
        assertThat(ids).doesNotHaveDuplicates();
        // The invite reached it (the state_key is its user) before the join.
        assertThat(events.stream().filter(e -> e.path("type").asText().equals("m.room.member"))
                .map(e -> e.path("content").path("membership").asText()).toList()).containsSubsequence("invite", "join");
        JsonNode message = events.stream().filter(e -> e.path("event_id").asText().equals(sent.getFirst()))
                .findFirst().orElseThrow();
        assertThat(message.path("content").path("body").asText()).isEqualTo("hello 0");
        assertThat(message.path("room_id").asText()).isEqualTo(roomId);
        assertThat(message.has("origin_server_ts")).isTrue();
        Thread.sleep(300);
        assertThat(deliveredIn(otherRoom)).isEmpty();
        for (Received txn : appService.transactions()) {
            assertThat(txn.method()).isEqualTo("PUT");
            assertThat(txn.authorization()).isEqualTo("Bearer " + HS_TOKEN);
        }
        // Transaction ids only grow (a retry repeats the last one).
        List<Long> txnIds = appService.transactions().stream()
                .map(t -> Long.parseLong(t.path().substring(t.path().lastIndexOf('/') + 1))).toList();
        assertThat(txnIds).isSorted();
    }

    @Test
    void aFailedTransactionIsRetriedUnchanged() throws Exception {
        String human = human();
        String virtual = virtualUser();
        String roomId = ok(client.request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}", human))
                .path("room_id").asText();
        ok(client.request("POST", as(V3 + "/join/" + enc(roomId), virtual), "{}", AS_TOKEN));
        eventually(() -> !deliveredIn(roomId).isEmpty());
        int before = appService.transactions().size();
        appService.failNext.set(2);
        String first = send(human, roomId, "while down");
        String second = send(human, roomId, "still down");
        eventually(() -> deliveredIn(roomId).stream().anyMatch(e -> e.path("event_id").asText().equals(second)));
        List<Received> attempts = appService.transactions().subList(before, appService.transactions().size());
        assertThat(attempts.size()).as(attempts.toString()).isGreaterThanOrEqualTo(3);
        // The failed attempts and the successful retry are the same transaction with the same events.
        assertThat(attempts.get(1).path()).isEqualTo(attempts.get(0).path());
        assertThat(attempts.get(1).body()).isEqualTo(attempts.get(0).body());
        assertThat(attempts.get(2).path()).isEqualTo(attempts.get(0).path());
        assertThat(attempts.get(2).body()).isEqualTo(attempts.get(0).body());
        assertThat(attempts.stream().map(Received::status).toList()).startsWith(500, 500, 200);
        List<String> ids = deliveredIn(roomId).stream().map(e -> e.path("event_id").asText()).toList();
        assertThat(ids).containsSubsequence(first, second).doesNotHaveDuplicates();
    }

    @Test
    void unknownUsersAndAliasesAreQueried() {
        String human = human();
        String wanted = "@_bridge_queried" + NAMES.incrementAndGet() + ":test.local";
        appService.handlers.put("/_matrix/app/v1/users/", userId -> {
            if (!userId.equals(wanted)) {
                return new Answer(404, "{\"errcode\":\"M_NOT_FOUND\"}");
            }
            ok(client.request("POST", V3 + "/register", "{\"type\":\"m.login.application_service\",\"username\":\""
                    + userId.substring(1, userId.indexOf(':')) + "\",\"inhibit_login\":true}", AS_TOKEN));
            ok(client.request("PUT", as(V3 + "/profile/" + enc(userId) + "/displayname", userId),
                    "{\"displayname\":\"Queried\"}", AS_TOKEN));
            return new Answer(200, "{}");
        });
        assertThat(ok(client.get(V3 + "/profile/" + enc(wanted), human)).path("displayname").asText())
                .isEqualTo("Queried");
        error(client.get(V3 + "/profile/" + enc("@_bridge_refused:test.local"), human), 404, "M_NOT_FOUND");
        assertThat(appService.received).anyMatch(r -> r.path().equals("/_matrix/app/v1/users/" + wanted)
                && ("Bearer " + HS_TOKEN).equals(r.authorization()));

        String alias = "#_bridge_portal" + NAMES.incrementAndGet() + ":test.local";
        appService.handlers.put("/_matrix/app/v1/rooms/", queried -> {
            if (!queried.equals(alias)) {
                return new Answer(404, "{\"errcode\":\"M_NOT_FOUND\"}");
            }
            ok(client.request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\",\"room_alias_name\":\""
                    + alias.substring(1, alias.indexOf(':')) + "\"}", AS_TOKEN));
            return new Answer(200, "{}");
        });
        String roomId = ok(client.get(V3 + "/directory/room/" + enc(alias), human)).path("room_id").asText();
        assertThat(roomId).startsWith("!");
        error(client.get(V3 + "/directory/room/" + enc("#_bridge_nothing:test.local"), human), 404, "M_NOT_FOUND");
        // An alias outside every namespace is not asked about.
        int asked = appService.received.size();
        error(client.get(V3 + "/directory/room/" + enc("#plain_missing:test.local"), human), 404, "M_NOT_FOUND");
        assertThat(appService.received.stream().skip(asked).filter(r -> r.path().startsWith("/_matrix/app/v1/rooms/")))
                .isEmpty();
    }

    @Test
    void pingReportsTheRoundTripOrTheFailure() {
        appService.handlers.put("/_matrix/app/v1/ping", rest -> new Answer(200, "{}"));
        JsonNode pong = ok(client.request("POST", "/_matrix/client/v1/appservice/bridge/ping",
                "{\"transaction_id\":\"meow\"}", AS_TOKEN));
        assertThat(pong.path("duration_ms").isIntegralNumber()).isTrue();
        Received ping = appService.received.stream().filter(r -> r.path().equals("/_matrix/app/v1/ping"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(ping.method()).isEqualTo("POST");
        assertThat(ping.authorization()).isEqualTo("Bearer " + HS_TOKEN);
        assertThat(ping.json().path("transaction_id").asText()).isEqualTo("meow");

        appService.handlers.put("/_matrix/app/v1/ping", rest -> new Answer(403, "{\"errcode\":\"M_FORBIDDEN\"}"));
        Reply bad = client.request("POST", "/_matrix/client/v1/appservice/bridge/ping", "{}", AS_TOKEN);
        error(bad, 502, "M_BAD_STATUS");
        assertThat(bad.json().path("status").asInt()).isEqualTo(403);
        assertThat(bad.json().path("body").asText()).contains("M_FORBIDDEN");

        error(client.request("POST", "/_matrix/client/v1/appservice/nourl/ping", "{}", "nourl-as"), 400, "M_URL_NOT_SET");
        error(client.request("POST", "/_matrix/client/v1/appservice/down/ping", "{}", "down-as"), 502,
                "M_CONNECTION_FAILED");
        error(client.request("POST", "/_matrix/client/v1/appservice/nourl/ping", "{}", AS_TOKEN), 403, "M_FORBIDDEN");
        error(client.request("POST", "/_matrix/client/v1/appservice/bridge/ping", "{}", human()), 403, "M_FORBIDDEN");
        error(client.request("POST", "/_matrix/client/v1/appservice/bridge/ping", "{}"), 401, "M_MISSING_TOKEN");
    }

    @Test
    void thirdPartyLookupsGoToTheDeclaringService() {
        String human = human();
        appService.handlers.put("/_matrix/app/v1/thirdparty/protocol/", protocol -> new Answer(200,
                "{\"user_fields\":[\"nick\"],\"location_fields\":[\"channel\"],\"icon\":\"mxc://x/y\","
                        + "\"field_types\":{},\"instances\":[]}"));
        appService.handlers.put("/_matrix/app/v1/thirdparty/user", rest -> new Answer(200,
                "[{\"userid\":\"@_bridge_alice:test.local\",\"protocol\":\"fakenet\",\"fields\":{\"nick\":\"alice\"},"
                        + "\"query\":\"" + rest.replace("\"", "") + "\"}]"));
        JsonNode protocols = ok(client.get(V3 + "/thirdparty/protocols", human));
        assertThat(protocols.path("fakenet").path("user_fields").get(0).asText()).isEqualTo("nick");
        assertThat(ok(client.get(V3 + "/thirdparty/protocol/fakenet", human)).path("icon").asText()).isEqualTo("mxc://x/y");
        error(client.get(V3 + "/thirdparty/protocol/unknown", human), 404, "M_NOT_FOUND");
        JsonNode users = ok(client.get(V3 + "/thirdparty/user/fakenet?nick=alice", human));
        assertThat(users.get(0).path("userid").asText()).isEqualTo("@_bridge_alice:test.local");
        assertThat(users.get(0).path("query").asText()).isEqualTo("/fakenet?nick=alice");
        error(client.get(V3 + "/thirdparty/user/unknown?nick=alice", human), 404, "M_NOT_FOUND");
        assertThat(ok(client.get(V3 + "/thirdparty/user?userid=" + enc("@_bridge_alice:test.local"), human))).hasSize(1);
        error(client.get(V3 + "/thirdparty/user", human), 400, "M_MISSING_PARAM");
        error(client.get(V3 + "/thirdparty/protocols"), 401, "M_MISSING_TOKEN");
    }

    @Test
    void applicationServicesManageDevicesWithoutUia() {
        String virtual = virtualUser();
        String devices = V3 + "/devices/";
        Reply created = client.request("PUT", as(devices + "NEWDEV", virtual), "{\"display_name\":\"Bridge\"}", AS_TOKEN);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(ok(client.request("PUT", as(devices + "NEWDEV", virtual), "{\"display_name\":\"Renamed\"}",
                AS_TOKEN)).size()).isZero();
        assertThat(ok(client.get(as(devices + "NEWDEV", virtual), AS_TOKEN)).path("display_name").asText())
                .isEqualTo("Renamed");
        // The new device can be asserted, and can upload keys; without a device keys cannot be uploaded.
        ok(client.get(as(V3 + "/account/whoami", virtual) + "&device_id=NEWDEV", AS_TOKEN));
        ok(client.request("POST", as(V3 + "/keys/upload", virtual) + "&device_id=NEWDEV", "{}", AS_TOKEN));
        error(client.request("POST", as(V3 + "/keys/upload", virtual), "{}", AS_TOKEN), 400, "M_MISSING_PARAM");
        ok(client.request("DELETE", as(devices + "NEWDEV", virtual), "{}", AS_TOKEN));
        error(client.get(as(devices + "NEWDEV", virtual), AS_TOKEN), 404, "M_NOT_FOUND");
        Reply second = client.request("PUT", as(devices + "TWO", virtual), "{}", AS_TOKEN);
        assertThat(second.status()).as(second.body()).isEqualTo(201);
        ok(client.request("POST", as(V3 + "/delete_devices", virtual), "{\"devices\":[\"TWO\"]}", AS_TOKEN));
        assertThat(ok(client.get(as(V3 + "/devices", virtual), AS_TOKEN)).path("devices")).isEmpty();
        // Humans can still only rename their own existing devices, and deleting needs UIA.
        String human = human();
        error(client.request("PUT", devices + "NOSUCH", "{\"display_name\":\"x\"}", human), 404, "M_NOT_FOUND");
        String ownDevice = ok(client.get(V3 + "/account/whoami", human)).path("device_id").asText();
        assertThat(client.request("DELETE", devices + ownDevice, "{}", human).status()).isEqualTo(401);
    }

    @Test
    void unlimitedServicesSkipThePerIpRateLimit() throws Exception {
        try (var limited = TestHomeserver.start(backend, "registration.mode=open",
                "rate_limits.requests_per_ip.per_second=0.001", "rate_limits.requests_per_ip.burst=3",
                "app_service_config_files.0=" + bridgeRegistration)) {
            TestClient limitedClient = limited.client();
            String virtual = ok(limitedClient.request("POST", V3 + "/register", "{\"type\":\"m.login.application_service\","
                    + "\"username\":\"_bridge_fast\",\"inhibit_login\":true}", AS_TOKEN)).path("user_id").asText();
            for (int i = 0; i < 10; i++) {
                ok(limitedClient.get(as(V3 + "/account/whoami", virtual), AS_TOKEN));
            }
            int limitedAt = -1;
            for (int i = 0; i < 10 && limitedAt < 0; i++) {
                if (limitedClient.get(V3 + "/account/whoami", "not-a-token").status() == 429) {
                    limitedAt = i;
                }
            }
            assertThat(limitedAt).as("other requests are limited").isBetween(0, 3);
            ok(limitedClient.get(V3 + "/account/whoami", AS_TOKEN));
        }
    }
}

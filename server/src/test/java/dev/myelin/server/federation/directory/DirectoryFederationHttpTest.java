package dev.myelin.server.federation.directory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The room directory and spaces over federation between two Myelins, a on SQLite and b on PostgreSQL: each reads the
 * other's published rooms, space hierarchies and room summaries, as a client of its own server and as a server.
 */
class DirectoryFederationHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final String V1 = "/_matrix/client/v1";
    private static final AtomicInteger USERS = new AtomicInteger();
    static FederatedTestServer a;
    static FederatedTestServer b;

    record User(String id, String token, TestClient client) {}

    @BeforeAll
    static void start() throws Exception {
        a = FederatedTestServer.start(Backend.SQLITE, "registration.mode=open");
        b = FederatedTestServer.start(Backend.POSTGRES, "registration.mode=open");
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static User register(FederatedTestServer server) {
        TestClient client = server.server().client();
        String body = "{\"username\":\"d" + USERS.incrementAndGet() + "\",\"password\":\"correct horse battery\"";
        Reply first = client.request("POST", V3 + "/register", body + "}");
        Reply done = client.request("POST", V3 + "/register", body + ",\"auth\":{\"type\":\"m.login.dummy\","
                + "\"session\":\"" + first.json().path("session").asText() + "\"}}");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        return new User(done.json().path("user_id").asText(), done.json().path("access_token").asText(), client);
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static void error(Reply reply, int status, String errcode) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.errcode()).as(reply.body()).isEqualTo(errcode);
    }

    static String createRoom(User user, String body) {
        return ok(user.client().request("POST", V3 + "/createRoom", body, user.token())).path("room_id").asText();
    }

    static String space(User user, String name) {
        return createRoom(user, """
                {"preset":"public_chat","name":"%s","creation_content":{"type":"m.space"}}""".formatted(name));
    }

    static void addChild(User owner, String parent, String child, FederatedTestServer via, boolean suggested) {
        ok(owner.client().request("PUT", V3 + "/rooms/" + enc(parent) + "/state/m.space.child/" + enc(child),
                "{\"via\":[\"" + via.serverName() + "\"],\"suggested\":" + suggested + "}", owner.token()));
    }

    static List<String> roomIds(JsonNode rooms) {
        var ids = new ArrayList<String>();
        rooms.forEach(room -> ids.add(room.path("room_id").asText()));
        return ids;
    }

    static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void usersListAnotherServersPublishedRoomsWithFiltersAndPaging() {
        User alice = register(a);
        User bob = register(b);
        String tag = "dir" + System.nanoTime();
        String room = createRoom(alice, """
                {"preset":"public_chat","visibility":"public","name":"Alpha %s","topic":"talk"}""".formatted(tag));
        String spaceId = createRoom(alice, """
                {"preset":"public_chat","visibility":"public","name":"Space %s",
                 "creation_content":{"type":"m.space"}}""".formatted(tag));
        String onB = createRoom(bob, """
                {"preset":"public_chat","visibility":"public","name":"Beta %s"}""".formatted(tag));
        String server = "?server=" + enc(a.serverName());

        JsonNode all = ok(bob.client().get(V3 + "/publicRooms" + server, bob.token()));
        assertThat(roomIds(all.path("chunk"))).contains(room, spaceId).doesNotContain(onB);
        JsonNode entry = all.path("chunk").get(roomIds(all.path("chunk")).indexOf(room));
        assertThat(entry.path("name").asText()).isEqualTo("Alpha " + tag);
        assertThat(entry.path("num_joined_members").asInt()).isEqualTo(1);

        JsonNode searched = ok(bob.client().request("POST", V3 + "/publicRooms" + server,
                "{\"filter\":{\"generic_search_term\":\"alpha " + tag + "\"}}", bob.token()));
        assertThat(roomIds(searched.path("chunk"))).containsExactly(room);
        JsonNode spaces = ok(bob.client().request("POST", V3 + "/publicRooms" + server,
                "{\"filter\":{\"generic_search_term\":\"" + tag + "\",\"room_types\":[\"m.space\"]}}", bob.token()));
        assertThat(roomIds(spaces.path("chunk"))).containsExactly(spaceId);
        JsonNode first = ok(bob.client().request("POST", V3 + "/publicRooms" + server,
                "{\"limit\":1,\"filter\":{\"generic_search_term\":\"" + tag + "\"}}", bob.token()));
        assertThat(first.path("chunk").size()).isEqualTo(1);
        JsonNode second = ok(bob.client().request("POST", V3 + "/publicRooms" + server, "{\"limit\":1,\"since\":\""
                + first.path("next_batch").asText() + "\",\"filter\":{\"generic_search_term\":\"" + tag + "\"}}",
                bob.token()));
        assertThat(roomIds(second.path("chunk"))).doesNotContainAnyElementsOf(roomIds(first.path("chunk")));
        assertThat(roomIds(first.path("chunk")).getFirst()).isIn(room, spaceId);
        // No application service publishes a network here.
        assertThat(ok(bob.client().get(V3 + "/publicRooms" + server + "&third_party_instance_id=irc",
                bob.token())).path("chunk").size()).isZero();
        error(bob.client().get(V3 + "/publicRooms" + server + "&third_party_instance_id=irc"
                + "&include_all_networks=true", bob.token()), 400, "M_INVALID_PARAM");

        // The other way round, and a server= naming the user's own server stays local.
        assertThat(roomIds(ok(alice.client().get(V3 + "/publicRooms?server=" + enc(b.serverName()),
                alice.token())).path("chunk"))).contains(onB).doesNotContain(room);
        assertThat(roomIds(ok(bob.client().get(V3 + "/publicRooms?server=" + enc(b.serverName()),
                bob.token())).path("chunk"))).contains(onB).doesNotContain(room);
    }

    @Test
    void remoteDirectoryErrorsReachTheClientAsMatrixErrors() throws Exception {
        User bob = register(b);
        error(bob.client().get(V3 + "/publicRooms?server=" + enc(a.serverName())), 401, "M_MISSING_TOKEN");
        error(bob.client().get(V3 + "/publicRooms?server=" + enc("not a server"), bob.token()), 400,
                "M_INVALID_PARAM");
        error(bob.client().get(V3 + "/publicRooms?server=" + enc("localhost:" + FederatedTestServer.freePort()),
                bob.token()), 502, "M_UNKNOWN");
        error(bob.client().request("POST", V3 + "/publicRooms?server=" + enc(a.serverName()),
                "{\"filter\":{\"room_types\":\"m.space\"}}", bob.token()), 400, "M_BAD_JSON");
        // The federation endpoint itself refuses bad input with Matrix errors.
        var client = b.federation().client();
        assertThatThrownBy(() -> client.post(a.serverName(), "/_matrix/federation/v1/publicRooms",
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("since", "nonsense")))
                .isInstanceOfSatisfying(FederationException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errcode()).contains("M_INVALID_PARAM");
                });
        JsonNode unlimited = client.get(a.serverName(), "/_matrix/federation/v1/publicRooms");
        assertThat(unlimited.path("chunk").size()).isEqualTo(unlimited.path("total_room_count_estimate").asInt());
    }

    @Test
    void theHierarchyEndpointSummarisesChildrenTheAskingServerMaySee() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String root = space(alice, "Root");
        String open = createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Open\"}");
        String secret = createRoom(alice, "{\"preset\":\"private_chat\",\"name\":\"Secret\"}");
        String elsewhere = createRoom(bob, "{\"preset\":\"public_chat\",\"name\":\"On b\"}");
        addChild(alice, root, open, a, true);
        addChild(alice, root, secret, a, false);
        addChild(alice, root, elsewhere, b, false);
        var client = b.federation().client();

        JsonNode answer = client.get(a.serverName(), "/_matrix/federation/v1/hierarchy/" + enc(root));
        assertThat(answer.path("room").path("room_id").asText()).isEqualTo(root);
        assertThat(answer.path("room").path("room_type").asText()).isEqualTo("m.space");
        assertThat(answer.path("room").path("children_state").findValuesAsText("state_key"))
                .containsExactlyInAnyOrder(open, secret, elsewhere);
        assertThat(answer.path("room").path("children_state").get(0).has("origin_server_ts")).isTrue();
        assertThat(roomIds(answer.path("children"))).containsExactly(open);
        assertThat(answer.path("inaccessible_children").get(0).asText()).isEqualTo(secret);

        JsonNode suggested = client.get(a.serverName(), "/_matrix/federation/v1/hierarchy/" + enc(root)
                + "?suggested_only=true");
        assertThat(suggested.path("room").path("children_state").findValuesAsText("state_key")).containsExactly(open);
        assertThat(suggested.path("inaccessible_children").size()).isZero();
        // A room b may not see is unknown to it.
        assertThatThrownBy(() -> client.get(a.serverName(), "/_matrix/federation/v1/hierarchy/" + enc(secret)))
                .isInstanceOfSatisfying(FederationException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errcode()).contains("M_NOT_FOUND");
                });
        assertThatThrownBy(() -> client.get(a.serverName(), "/_matrix/federation/v1/hierarchy/" + enc(root)
                + "?suggested_only=maybe"))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void aClientWalksASpaceWhoseRoomsLiveOnBothServers() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String root = space(bob, "Root on b");
        String openOnA = createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Open on a\"}");
        String secretOnA = createRoom(alice, "{\"preset\":\"private_chat\",\"name\":\"Secret on a\"}");
        String subspaceOnA = space(alice, "Subspace on a");
        String deepOnA = createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Deep on a\"}");
        String localOnB = createRoom(bob, "{\"preset\":\"public_chat\",\"name\":\"Local on b\"}");
        addChild(bob, root, openOnA, a, true);
        addChild(bob, root, secretOnA, a, false);
        addChild(bob, root, subspaceOnA, a, false);
        addChild(alice, subspaceOnA, deepOnA, a, false);
        addChild(bob, root, localOnB, b, false);

        JsonNode page = ok(bob.client().get(V1 + "/rooms/" + enc(root) + "/hierarchy", bob.token()));
        List<String> ids = roomIds(page.path("rooms"));
        assertThat(ids).containsExactlyInAnyOrder(root, openOnA, subspaceOnA, deepOnA, localOnB);
        assertThat(ids.indexOf(subspaceOnA)).isLessThan(ids.indexOf(deepOnA));
        JsonNode remote = page.path("rooms").get(ids.indexOf(openOnA));
        assertThat(remote.path("name").asText()).isEqualTo("Open on a");
        assertThat(remote.path("num_joined_members").asInt()).isEqualTo(1);
        JsonNode subspace = page.path("rooms").get(ids.indexOf(subspaceOnA));
        assertThat(subspace.path("children_state").findValuesAsText("state_key")).containsExactly(deepOnA);

        assertThat(roomIds(ok(bob.client().get(V1 + "/rooms/" + enc(root) + "/hierarchy?suggested_only=true",
                bob.token())).path("rooms"))).containsExactly(root, openOnA);
        assertThat(roomIds(ok(bob.client().get(V1 + "/rooms/" + enc(root) + "/hierarchy?max_depth=1",
                bob.token())).path("rooms"))).doesNotContain(deepOnA).contains(subspaceOnA);
        JsonNode first = ok(bob.client().get(V1 + "/rooms/" + enc(root) + "/hierarchy?limit=2", bob.token()));
        JsonNode rest = ok(bob.client().get(V1 + "/rooms/" + enc(root) + "/hierarchy?from="
                + enc(first.path("next_batch").asText()), bob.token()));
        var paged = new ArrayList<>(roomIds(first.path("rooms")));
        paged.addAll(roomIds(rest.path("rooms")));
        assertThat(paged).isEqualTo(ids);
    }

    @Test
    void roomSummariesOfRoomsOnAnotherServerComeThroughVia() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String open = createRoom(alice, """
                {"preset":"public_chat","name":"Open on a","topic":"hello","room_version":"11"}""");
        String secret = createRoom(alice, "{\"preset\":\"private_chat\",\"name\":\"Secret on a\"}");
        String onB = createRoom(bob, "{\"preset\":\"public_chat\",\"name\":\"Open on b\"}");
        String via = "?via=" + enc(a.serverName());

        JsonNode summary = ok(bob.client().get(V1 + "/room_summary/" + enc(open) + via, bob.token()));
        assertThat(summary.path("room_id").asText()).isEqualTo(open);
        assertThat(summary.path("name").asText()).isEqualTo("Open on a");
        assertThat(summary.path("topic").asText()).isEqualTo("hello");
        assertThat(summary.path("join_rule").asText()).isEqualTo("public");
        assertThat(summary.path("room_version").asText()).isEqualTo("11");
        assertThat(summary.path("membership").asText()).isEqualTo("leave");
        assertThat(summary.has("children_state")).isFalse();
        // Without via the room id's server is asked; unauthenticated for open rooms, without membership.
        JsonNode anonymous = ok(bob.client().get(V1 + "/room_summary/" + enc(open)));
        assertThat(anonymous.has("membership")).isFalse();
        error(bob.client().get(V1 + "/room_summary/" + enc(secret) + via, bob.token()), 404, "M_NOT_FOUND");
        // And the other way round, from PostgreSQL.
        assertThat(ok(alice.client().get(V1 + "/room_summary/" + enc(onB) + "?via=" + enc(b.serverName()),
                alice.token())).path("name").asText()).isEqualTo("Open on b");

        // Once invited, the invitee sees the private room's summary through its server.
        ok(alice.client().request("POST", V3 + "/rooms/" + enc(secret) + "/invite",
                "{\"user_id\":\"" + bob.id() + "\"}", alice.token()));
        eventually(() -> bob.client().get(V1 + "/room_summary/" + enc(secret) + via, bob.token()).status() == 200,
                "the invitee's summary");
        JsonNode invited = ok(bob.client().get(V1 + "/room_summary/" + enc(secret) + via, bob.token()));
        assertThat(invited.path("name").asText()).isEqualTo("Secret on a");
        assertThat(invited.path("membership").asText()).isEqualTo("invite");
    }

    @Test
    void aliasesOfAnotherServerAreResolvedForLookupsSummariesJoinsAndKnocks() {
        User alice = register(a);
        User bob = register(b);
        String name = "fed" + System.nanoTime();
        String roomId = createRoom(alice, """
                {"preset":"public_chat","name":"Aliased","room_alias_name":"%s"}""".formatted(name));
        String alias = "#" + name + ":" + a.serverName();
        String knockName = "knock" + System.nanoTime();
        String knockable = createRoom(alice, """
                {"preset":"private_chat","room_alias_name":"%s","initial_state":[{"type":"m.room.join_rules",
                 "state_key":"","content":{"join_rule":"knock"}}]}""".formatted(knockName));

        JsonNode resolved = ok(bob.client().get(V3 + "/directory/room/" + enc(alias), bob.token()));
        assertThat(resolved.path("room_id").asText()).isEqualTo(roomId);
        assertThat(resolved.path("servers").get(0).asText()).isEqualTo(a.serverName());
        error(bob.client().get(V3 + "/directory/room/" + enc("#nothing" + name + ":" + a.serverName()),
                bob.token()), 404, "M_NOT_FOUND");
        assertThat(ok(bob.client().get(V1 + "/room_summary/" + enc(alias), bob.token())).path("name").asText())
                .isEqualTo("Aliased");

        // Joining and knocking by alias go through the servers the alias's server named.
        assertThat(ok(bob.client().request("POST", V3 + "/join/" + enc(alias), "{}", bob.token()))
                .path("room_id").asText()).isEqualTo(roomId);
        assertThat(ok(bob.client().request("POST", V3 + "/knock/" + enc("#" + knockName + ":" + a.serverName()),
                "{}", bob.token())).path("room_id").asText()).isEqualTo(knockable);
        assertThat(a.server().homeserver().rooms().service().currentMembership(knockable, bob.id()))
                .isEqualTo("knock");
    }
}

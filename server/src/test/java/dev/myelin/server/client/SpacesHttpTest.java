package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.client.FeatureHttpSupport.User;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static dev.myelin.server.client.FeatureHttpSupport.enc;
import static dev.myelin.server.client.FeatureHttpSupport.error;
import static dev.myelin.server.client.FeatureHttpSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Room summaries (MSC3266) and the space hierarchy over HTTP. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class SpacesHttpTest {
    private static final String SUMMARY = "/_matrix/client/v1/room_summary/";

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static FeatureHttpSupport http;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open");
        http = new FeatureHttpSupport(server.client());
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static String space(User owner, String name) {
        return http.createRoom(owner, "{\"preset\":\"public_chat\",\"name\":\"" + name + "\","
                + "\"creation_content\":{\"type\":\"m.space\"}}");
    }

    static void addChild(User owner, String parent, String child, String extra) {
        ok(http.put(owner, "/rooms/" + enc(parent) + "/state/m.space.child/" + enc(child),
                "{\"via\":[\"test.local\"]" + extra + "}"));
    }

    static List<String> roomIds(JsonNode page) {
        var ids = new ArrayList<String>();
        page.path("rooms").forEach(room -> ids.add(room.path("room_id").asText()));
        return ids;
    }

    static String hierarchy(String roomId) {
        return "/_matrix/client/v1/rooms/" + enc(roomId) + "/hierarchy";
    }

    @Test
    void summariesFollowVisibilityRules() {
        User alice = http.newUser();
        User bob = http.newUser();
        String publicRoom = http.createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Open\",\"topic\":\"t\","
                + "\"room_alias_name\":\"open" + System.nanoTime() % 100000 + "\"}");
        String privateRoom = http.createRoom(alice, "{\"preset\":\"private_chat\",\"name\":\"Closed\"}");

        JsonNode summary = ok(http.get(bob, SUMMARY + enc(publicRoom)));
        assertThat(summary.path("name").asText()).isEqualTo("Open");
        assertThat(summary.path("topic").asText()).isEqualTo("t");
        assertThat(summary.path("join_rule").asText()).isEqualTo("public");
        assertThat(summary.path("num_joined_members").asInt()).isEqualTo(1);
        assertThat(summary.path("room_version").asText()).isNotEmpty();
        assertThat(summary.path("membership").asText()).isEqualTo("leave");
        String alias = summary.path("canonical_alias").asText();
        assertThat(ok(http.get(SUMMARY + enc(alias))).path("room_id").asText()).isEqualTo(publicRoom);
        assertThat(ok(http.get(SUMMARY + enc(publicRoom))).has("membership")).isFalse();
        assertThat(ok(http.get(
                "/_matrix/client/unstable/im.nheko.summary/summary/" + enc(publicRoom))).path("name").asText())
                .isEqualTo("Open");

        error(http.get(bob, SUMMARY + enc(privateRoom)), 404, "M_NOT_FOUND");
        error(http.get(SUMMARY + enc(privateRoom)), 404, "M_NOT_FOUND");
        assertThat(ok(http.get(alice, SUMMARY + enc(privateRoom))).path("membership").asText()).isEqualTo("join");
        ok(http.post(alice, "/rooms/" + enc(privateRoom) + "/invite", "{\"user_id\":\"" + bob.id() + "\"}"));
        assertThat(ok(http.get(bob, SUMMARY + enc(privateRoom))).path("membership").asText()).isEqualTo("invite");

        // Restricted: members of an allowed room may see it.
        User carol = http.newUser();
        String restricted = http.createRoom(alice, "{\"preset\":\"private_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.join_rules\",\"state_key\":\"\",\"content\":{\"join_rule\":\"restricted\",\"allow\":"
                + "[{\"type\":\"m.room_membership\",\"room_id\":\"" + publicRoom + "\"}]}}]}");
        error(http.get(carol, SUMMARY + enc(restricted)), 404, "M_NOT_FOUND");
        http.join(carol, publicRoom);
        JsonNode allowed = ok(http.get(carol, SUMMARY + enc(restricted)));
        assertThat(allowed.path("allowed_room_ids").get(0).asText()).isEqualTo(publicRoom);
        assertThat(allowed.path("join_rule").asText()).isEqualTo("restricted");

        error(http.get(bob, SUMMARY + enc("!missing:test.local")), 404, "M_NOT_FOUND");
        error(http.get(bob, SUMMARY + enc("#missing:test.local")), 404, "M_NOT_FOUND");
    }

    @Test
    void hierarchyWalksSpacesDepthFirst() {
        User alice = http.newUser();
        User bob = http.newUser();
        String root = space(alice, "Root");
        String sub = space(alice, "Sub");
        String a = http.createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"A\"}");
        String b = http.createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"B\"}");
        String hidden = http.createRoom(alice, "{\"preset\":\"private_chat\",\"name\":\"Hidden\"}");
        String deep = http.createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Deep\"}");
        addChild(alice, root, b, ",\"order\":\"b\"");
        addChild(alice, root, sub, ",\"order\":\"a\",\"suggested\":true");
        addChild(alice, root, a, "");
        addChild(alice, root, hidden, ",\"order\":\"c\"");
        addChild(alice, sub, deep, "");
        // A child without via is not a child.
        ok(http.put(alice, "/rooms/" + enc(root) + "/state/m.space.child/" + enc("!x:test.local"), "{}"));

        JsonNode page = ok(http.get(bob, hierarchy(root)));
        assertThat(roomIds(page)).containsExactly(root, sub, deep, b, a);
        assertThat(page.has("next_batch")).isFalse();
        JsonNode rootEntry = page.path("rooms").get(0);
        assertThat(rootEntry.path("room_type").asText()).isEqualTo("m.space");
        assertThat(rootEntry.path("children_state").size()).isEqualTo(4);
        assertThat(rootEntry.path("children_state").get(0).path("origin_server_ts").asLong()).isPositive();
        assertThat(page.path("rooms").get(3).path("children_state").size()).isZero();
        // Alice sees the private room too.
        assertThat(roomIds(ok(http.get(alice, hierarchy(root))))).contains(hidden);

        assertThat(roomIds(ok(http.get(bob, hierarchy(root) + "?max_depth=1")))).containsExactly(root, sub, b, a);
        assertThat(roomIds(ok(http.get(bob, hierarchy(root) + "?suggested_only=true")))).containsExactly(root, sub);

        JsonNode first = ok(http.get(bob, hierarchy(root) + "?limit=2"));
        assertThat(roomIds(first)).containsExactly(root, sub);
        String next = first.path("next_batch").asText();
        JsonNode second = ok(http.get(bob, hierarchy(root) + "?limit=2&from=" + enc(next)));
        assertThat(roomIds(second)).containsExactly(deep, b);
        JsonNode third = ok(http.get(bob, hierarchy(root) + "?limit=2&from=" + enc(second.path("next_batch").asText())));
        assertThat(roomIds(third)).containsExactly(a);
        assertThat(third.has("next_batch")).isFalse();

        error(http.get(bob, hierarchy(root) + "?limit=2&max_depth=1&from=" + enc(next)), 400, "M_INVALID_PARAM");
        error(http.get(bob, hierarchy(root) + "?limit=0"), 400, "M_INVALID_PARAM");
        error(http.get(bob, hierarchy(root) + "?max_depth=x"), 400, "M_INVALID_PARAM");
        error(http.get(bob, hierarchy(root) + "?suggested_only=maybe"), 400, "M_INVALID_PARAM");
        error(http.get(bob, hierarchy(hidden)), 403, "M_FORBIDDEN");
        error(http.get(bob, hierarchy("!missing:test.local")), 403, "M_FORBIDDEN");
    }
}

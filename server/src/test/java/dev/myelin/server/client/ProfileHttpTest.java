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

import static dev.myelin.server.client.FeatureHttpSupport.enc;
import static dev.myelin.server.client.FeatureHttpSupport.error;
import static dev.myelin.server.client.FeatureHttpSupport.eventually;
import static dev.myelin.server.client.FeatureHttpSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Profiles over HTTP: fields, limits, capabilities, member events of joins and after changes. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class ProfileHttpTest {
    @Parameter
    Backend backend;

    static TestHomeserver server;
    static FeatureHttpSupport http;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open", "registration.allow_guests=true");
        http = new FeatureHttpSupport(server.client());
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static String profile(User user) {
        return "/profile/" + enc(user.id());
    }

    @Test
    void setReadAndDeleteFields() {
        User alice = http.newUser();
        User bob = http.newUser();
        assertThat(ok(http.get(profile(alice))).size()).isZero();
        http.get(profile(alice) + "/displayname").errcode();
        error(http.get(profile(alice) + "/displayname"), 404, "M_NOT_FOUND");

        ok(http.put(alice, profile(alice) + "/displayname", "{\"displayname\":\"Alice Liddell\"}"));
        ok(http.put(alice, profile(alice) + "/avatar_url", "{\"avatar_url\":\"mxc://test.local/abcDEF\"}"));
        ok(http.put(alice, profile(alice) + "/m.tz", "{\"m.tz\":\"Europe/London\"}"));
        ok(http.put(alice, profile(alice) + "/org.example.pronouns", "{\"org.example.pronouns\":{\"en\":\"she\"}}"));

        JsonNode all = ok(http.get(profile(alice)));
        assertThat(all.path("displayname").asText()).isEqualTo("Alice Liddell");
        assertThat(all.path("avatar_url").asText()).isEqualTo("mxc://test.local/abcDEF");
        assertThat(all.path("m.tz").asText()).isEqualTo("Europe/London");
        assertThat(all.path("org.example.pronouns").path("en").asText()).isEqualTo("she");
        assertThat(ok(http.get(bob, profile(alice) + "/displayname")).path("displayname").asText())
                .isEqualTo("Alice Liddell");

        ok(http.delete(alice, profile(alice) + "/org.example.pronouns"));
        ok(http.delete(alice, profile(alice) + "/org.example.pronouns"));
        assertThat(ok(http.get(profile(alice))).has("org.example.pronouns")).isFalse();
        ok(http.put(alice, profile(alice) + "/avatar_url", "{\"avatar_url\":\"\"}"));
        assertThat(ok(http.get(profile(alice))).has("avatar_url")).isFalse();
    }

    @Test
    void refusesBadInput() {
        User alice = http.newUser();
        User bob = http.newUser();
        error(http.put(bob, profile(alice) + "/displayname", "{\"displayname\":\"Mallory\"}"), 403, "M_FORBIDDEN");
        error(http.delete(bob, profile(alice) + "/displayname"), 403, "M_FORBIDDEN");
        error(http.put(alice, profile(alice) + "/displayname", "{\"other\":\"x\"}"), 400, "M_MISSING_PARAM");
        error(http.put(alice, profile(alice) + "/displayname", "{\"displayname\":5}"), 400, "M_BAD_JSON");
        error(http.put(alice, profile(alice) + "/avatar_url", "{\"avatar_url\":\"https://x/y\"}"), 400,
                "M_INVALID_PARAM");
        error(http.put(alice, profile(alice) + "/Not_Namespaced", "{\"Not_Namespaced\":1}"), 400, "M_INVALID_PARAM");
        String longKey = "org.example." + "k".repeat(250);
        error(http.put(alice, profile(alice) + "/" + longKey, "{\"" + longKey + "\":1}"), 400, "M_KEY_TOO_LARGE");
        error(http.put(alice, profile(alice) + "/displayname", "not json"), 400, "M_NOT_JSON");
        String big = "x".repeat(40_000);
        ok(http.put(alice, profile(alice) + "/org.example.one", "{\"org.example.one\":\"" + big + "\"}"));
        error(http.put(alice, profile(alice) + "/org.example.two", "{\"org.example.two\":\"" + big + "\"}"), 400,
                "M_PROFILE_TOO_LARGE");
        // Replacing a field counts its new size, not both.
        ok(http.put(alice, profile(alice) + "/org.example.one", "{\"org.example.one\":\"" + big + "y\"}"));
        error(http.get("/profile/not-a-user-id"), 400, "M_INVALID_PARAM");
        error(http.get("/profile/" + enc("@nobody:test.local")), 404, "M_NOT_FOUND");
        error(server.client().request("PUT", FeatureHttpSupport.V3 + profile(alice) + "/displayname",
                "{\"displayname\":\"x\"}"), 401, "M_MISSING_TOKEN");
    }

    @Test
    void capabilitiesAllowProfileChanges() {
        User alice = http.newUser();
        JsonNode capabilities = ok(http.get(alice, "/capabilities")).path("capabilities");
        assertThat(capabilities.path("m.profile_fields").path("enabled").asBoolean()).isTrue();
        assertThat(capabilities.path("m.set_displayname").path("enabled").asBoolean()).isTrue();
        assertThat(capabilities.path("m.set_avatar_url").path("enabled").asBoolean()).isTrue();
    }

    @Test
    void joinsCarryTheProfileAndChangesReachJoinedRooms() throws Exception {
        User alice = http.newUser();
        ok(http.put(alice, profile(alice) + "/displayname", "{\"displayname\":\"Alice\"}"));
        String first = http.createRoom(alice, "{\"preset\":\"public_chat\"}");
        String second = http.createRoom(alice, "{\"preset\":\"public_chat\"}");
        User bob = http.newUser();
        ok(http.put(bob, profile(bob) + "/displayname", "{\"displayname\":\"Bob\"}"));
        String member = "/rooms/" + enc(first) + "/state/m.room.member/";
        ok(http.post(alice, "/rooms/" + enc(first) + "/invite", "{\"user_id\":\"" + bob.id() + "\"}"));
        JsonNode invite = ok(http.get(alice, member + enc(bob.id())));
        assertThat(invite.path("membership").asText()).isEqualTo("invite");
        assertThat(invite.path("displayname").asText()).isEqualTo("Bob");
        http.join(bob, first);
        assertThat(ok(http.get(alice, member + enc(alice.id()))).path("displayname").asText()).isEqualTo("Alice");
        assertThat(ok(http.get(alice, member + enc(bob.id()))).path("displayname").asText()).isEqualTo("Bob");

        ok(http.put(alice, profile(alice) + "/displayname", "{\"displayname\":\"Alice Cooper\"}"));
        ok(http.put(alice, profile(alice) + "/avatar_url", "{\"avatar_url\":\"mxc://test.local/alice\"}"));
        for (String room : new String[]{first, second}) {
            String path = "/rooms/" + enc(room) + "/state/m.room.member/" + enc(alice.id());
            eventually(() -> {
                JsonNode content = ok(http.get(alice, path));
                return content.path("displayname").asText().equals("Alice Cooper")
                        && content.path("avatar_url").asText().equals("mxc://test.local/alice")
                        && content.path("membership").asText().equals("join");
            });
        }
        ok(http.delete(alice, profile(alice) + "/displayname"));
        eventually(() -> !ok(http.get(alice, member + enc(alice.id()))).has("displayname"));
    }
}

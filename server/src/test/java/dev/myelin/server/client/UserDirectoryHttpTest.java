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

/** POST /user_directory/search over HTTP: who is visible, ranking, limits, incremental updates. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class UserDirectoryHttpTest {
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

    static JsonNode search(User user, String term, int limit) {
        return ok(http.post(user, "/user_directory/search",
                "{\"search_term\":\"" + term + "\",\"limit\":" + limit + "}"));
    }

    static List<String> ids(JsonNode result) {
        var ids = new ArrayList<String>();
        result.path("results").forEach(entry -> ids.add(entry.path("user_id").asText()));
        return ids;
    }

    static void name(User user, String displayName) {
        ok(http.put(user, "/profile/" + enc(user.id()) + "/displayname",
                "{\"displayname\":\"" + displayName + "\"}"));
    }

    @Test
    void findsUsersSharingARoomOrInPublicRooms() {
        String tag = "zq" + System.nanoTime() % 100000;
        User alice = http.newUser();
        User bob = http.newUser();
        User carol = http.newUser();
        User dave = http.newUser();
        name(bob, "Bob " + tag);
        name(carol, "Carol " + tag);
        name(dave, "Dave " + tag);
        String privateRoom = http.createRoom(alice, "{\"preset\":\"private_chat\",\"invite\":[\"" + bob.id() + "\"]}");
        http.join(bob, privateRoom);
        String publicRoom = http.createRoom(carol, "{\"preset\":\"public_chat\"}");
        // dave shares no room with alice and is in no public room.
        http.createRoom(dave, "{\"preset\":\"private_chat\"}");

        JsonNode found = search(alice, tag, 10);
        assertThat(ids(found)).containsExactlyInAnyOrder(bob.id(), carol.id());
        assertThat(found.path("limited").asBoolean()).isFalse();
        JsonNode bobEntry = found.path("results").get(ids(found).indexOf(bob.id()));
        assertThat(bobEntry.path("display_name").asText()).isEqualTo("Bob " + tag);

        // Kept current: once dave joins the public room, everyone finds him; a renamed user is found by the new name.
        http.join(dave, publicRoom);
        assertThat(ids(search(alice, tag, 10))).contains(dave.id());
        name(bob, "Robert " + tag);
        assertThat(ids(search(alice, "robert " + tag, 10))).containsExactly(bob.id());
        assertThat(ids(search(alice, "bob " + tag, 10))).isEmpty();

        // A room turned invite-only no longer shows its members to strangers.
        ok(http.put(carol, "/rooms/" + enc(publicRoom) + "/state/m.room.join_rules", "{\"join_rule\":\"invite\"}"));
        assertThat(ids(search(alice, tag, 10))).containsExactly(bob.id());
    }

    @Test
    void ranksExactAndPrefixMatchesFirstAndLimits() {
        String tag = "qx" + System.nanoTime() % 100000;
        User searcher = http.newUser();
        String room = http.createRoom(searcher, "{\"preset\":\"public_chat\"}");
        User exact = http.newUser();
        User prefix = http.newUser();
        User word = http.newUser();
        name(word, "Zed " + tag + "son");
        name(prefix, tag + "ling Smith");
        name(exact, tag);
        for (User user : List.of(exact, prefix, word)) {
            http.join(user, room);
        }
        JsonNode found = search(searcher, tag, 10);
        assertThat(ids(found)).containsExactly(exact.id(), prefix.id(), word.id());
        JsonNode limited = search(searcher, tag, 2);
        assertThat(ids(limited)).containsExactly(exact.id(), prefix.id());
        assertThat(limited.path("limited").asBoolean()).isTrue();
        // By user id too: the localpart's words.
        assertThat(ids(search(searcher, exact.id().substring(1, 6), 50))).contains(exact.id());
        assertThat(ids(search(searcher, "%", 10))).isEmpty();
    }

    @Test
    void deactivatedUsersLeaveTheDirectoryAndErasedProfilesAreGone() {
        String tag = "dz" + System.nanoTime() % 100000;
        User alice = http.newUser();
        String name = AccountsHttpTest.newName();
        User gone = http.newUser(name);
        name(gone, "Gone " + tag);
        http.createRoom(gone, "{\"preset\":\"public_chat\"}");
        assertThat(ids(search(alice, tag, 10))).containsExactly(gone.id());
        ok(AccountsHttpTest.withPasswordUia(server.client(), "POST", FeatureHttpSupport.V3 + "/account/deactivate",
                "{\"erase\":true", gone.token(), name, "correct horse battery"));
        assertThat(ids(search(alice, tag, 10))).isEmpty();
        error(http.get("/profile/" + enc(gone.id()) + "/displayname"), 404, "M_NOT_FOUND");
    }

    @Test
    void refusesBadInput() {
        User alice = http.newUser();
        error(http.post(alice, "/user_directory/search", "{}"), 400, "M_MISSING_PARAM");
        error(http.post(alice, "/user_directory/search", "{\"search_term\":5}"), 400, "M_BAD_JSON");
        error(http.post(alice, "/user_directory/search", "{\"search_term\":\"a\",\"limit\":\"x\"}"), 400,
                "M_BAD_JSON");
        error(server.client().request("POST", FeatureHttpSupport.V3 + "/user_directory/search",
                "{\"search_term\":\"a\"}"), 401, "M_MISSING_TOKEN");
    }

    @Test
    void searchAllUsersFindsLocalUsersWithoutSharedRooms() throws Exception {
        try (var all = TestHomeserver.start(backend, "registration.mode=open", "user_directory.search_all_users=true")) {
            var local = new FeatureHttpSupport(all.client());
            User alice = local.newUser();
            User loner = local.newUser();
            ok(local.put(loner, "/profile/" + enc(loner.id()) + "/displayname", "{\"displayname\":\"Lonely Heart\"}"));
            JsonNode found = ok(local.post(alice, "/user_directory/search", "{\"search_term\":\"lonely\"}"));
            assertThat(ids(found)).containsExactly(loner.id());
        }
    }
}

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
import static dev.myelin.server.client.FeatureHttpSupport.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Account locking and suspension by admins (v1.12, v1.13, admin API v1.18), invite blocking (v1.18), redactions
 * through /send (v1.18) and /.well-known/matrix/support (v1.10), over HTTP on both databases.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class AccountModerationHttpTest {
    private static final String ADMIN = "/_matrix/client/v1/admin";

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static FeatureHttpSupport http;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open",
                "well_known.support_page=https://example.org/help",
                "well_known.admin_contacts=[\"@admin:example.org\", \"admin@example.org\"]");
        http = new FeatureHttpSupport(server.client());
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    private User admin() {
        User admin = http.newUser();
        server.homeserver().accounts().accounts().setAdmin(admin.id(), true);
        return admin;
    }

    @Test
    void onlyAdminsModerateAndSeeTheCapability() {
        User admin = admin();
        User user = http.newUser();
        User other = http.newUser();
        error(http.get(user, ADMIN + "/lock/" + enc(other.id())), 403, "M_FORBIDDEN");
        error(http.put(user, ADMIN + "/suspend/" + enc(other.id()), "{\"suspended\":true}"), 403, "M_FORBIDDEN");
        // Non-admins cannot tell unknown users from known ones.
        error(http.get(user, ADMIN + "/lock/" + enc("@nobody:test.local")), 403, "M_FORBIDDEN");

        error(http.get(admin, ADMIN + "/lock/" + enc("@nobody:test.local")), 404, "M_NOT_FOUND");
        error(http.get(admin, ADMIN + "/lock/" + enc("@someone:elsewhere.example")), 400, "M_INVALID_PARAM");
        error(http.put(admin, ADMIN + "/lock/" + enc(other.id()), "{}"), 400, "M_MISSING_PARAM");
        error(http.put(admin, ADMIN + "/lock/" + enc(other.id()), "{\"locked\":\"yes\"}"), 400, "M_BAD_JSON");
        User otherAdmin = admin();
        error(http.put(admin, ADMIN + "/lock/" + enc(otherAdmin.id()), "{\"locked\":true}"), 403, "M_FORBIDDEN");

        assertThat(ok(http.get(admin, "/capabilities")).path("capabilities").path("m.account_moderation")
                .path("lock").asBoolean()).isTrue();
        assertThat(ok(http.get(user, "/capabilities")).path("capabilities").has("m.account_moderation")).isFalse();
    }

    @Test
    void aLockedAccountMayOnlyLogOutUntilUnlocked() {
        User admin = admin();
        User user = http.newUser();
        assertThat(ok(http.get(admin, ADMIN + "/lock/" + enc(user.id()))).path("locked").asBoolean()).isFalse();
        assertThat(ok(http.put(admin, ADMIN + "/lock/" + enc(user.id()), "{\"locked\":true}"))
                .path("locked").asBoolean()).isTrue();
        assertThat(ok(http.get(admin, ADMIN + "/lock/" + enc(user.id()))).path("locked").asBoolean()).isTrue();

        var refused = http.get(user, "/account/whoami");
        error(refused, 401, "M_USER_LOCKED");
        assertThat(refused.json().path("soft_logout").asBoolean()).isTrue();
        error(http.get(user, "/sync?timeout=0"), 401, "M_USER_LOCKED");
        String login = "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\""
                + user.id() + "\"},\"password\":\"correct horse battery\"}";
        error(server.client().request("POST", FeatureHttpSupport.V3 + "/login", login), 401, "M_USER_LOCKED");

        ok(http.put(admin, ADMIN + "/lock/" + enc(user.id()), "{\"locked\":false}"));
        assertThat(ok(http.get(user, "/account/whoami")).path("user_id").asText()).isEqualTo(user.id());

        // Logging out works while locked.
        ok(http.put(admin, ADMIN + "/lock/" + enc(user.id()), "{\"locked\":true}"));
        ok(http.post(user, "/logout", "{}"));
        error(http.get(user, "/account/whoami"), 401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void aSuspendedAccountReadsAndLeavesButDoesNotAct() {
        User admin = admin();
        User alice = http.newUser();
        User bob = http.newUser();
        String room = http.createRoom(alice, "{\"preset\":\"public_chat\"}");
        http.join(bob, room);
        String own = http.sendText(bob, room, "before");
        String others = http.sendText(alice, room, "alice's");
        String elsewhere = http.createRoom(alice, "{\"preset\":\"public_chat\"}");

        ok(http.put(admin, ADMIN + "/suspend/" + enc(bob.id()), "{\"suspended\":true}"));
        assertThat(ok(http.get(admin, ADMIN + "/suspend/" + enc(bob.id()))).path("suspended").asBoolean()).isTrue();

        String roomPath = "/rooms/" + enc(room);
        error(http.put(bob, roomPath + "/send/m.room.message/s1", "{\"msgtype\":\"m.text\",\"body\":\"no\"}"),
                403, "M_USER_SUSPENDED");
        error(http.put(bob, roomPath + "/state/m.room.topic", "{\"topic\":\"no\"}"), 403, "M_USER_SUSPENDED");
        error(http.post(bob, "/createRoom", "{}"), 403, "M_USER_SUSPENDED");
        error(http.post(bob, "/rooms/" + enc(elsewhere) + "/join", "{}"), 403, "M_USER_SUSPENDED");
        error(http.post(bob, roomPath + "/invite", "{\"user_id\":\"" + admin.id() + "\"}"), 403, "M_USER_SUSPENDED");
        error(http.put(bob, "/profile/" + enc(bob.id()) + "/displayname", "{\"displayname\":\"B\"}"),
                403, "M_USER_SUSPENDED");
        error(http.put(bob, roomPath + "/redact/" + enc(others) + "/r1", "{}"), 403, "M_USER_SUSPENDED");

        // Reading, redacting their own events and leaving still work.
        ok(http.get(bob, "/sync?timeout=0"));
        ok(http.get(bob, roomPath + "/messages?dir=b"));
        ok(http.put(bob, roomPath + "/redact/" + enc(own) + "/r2", "{}"));
        ok(http.post(bob, roomPath + "/leave", "{}"));

        ok(http.put(admin, ADMIN + "/suspend/" + enc(bob.id()), "{\"suspended\":false}"));
        http.join(bob, room);
        http.sendText(bob, room, "after");
    }

    @Test
    void invitesToAUserWhoBlocksThemAreRefused() {
        User alice = http.newUser();
        User bob = http.newUser();
        User carol = http.newUser();
        ok(http.put(bob, "/user/" + enc(bob.id()) + "/account_data/m.invite_permission_config",
                "{\"default_action\":\"block\"}"));
        String room = http.createRoom(alice, "{\"preset\":\"private_chat\"}");
        String roomPath = "/rooms/" + enc(room);

        error(http.post(alice, roomPath + "/invite", "{\"user_id\":\"" + bob.id() + "\"}"), 403, "M_INVITE_BLOCKED");
        error(http.put(alice, roomPath + "/state/m.room.member/" + enc(bob.id()), "{\"membership\":\"invite\"}"),
                403, "M_INVITE_BLOCKED");
        // createRoom succeeds; only the blocking invitee is left out.
        String created = http.createRoom(alice,
                "{\"invite\":[\"" + bob.id() + "\",\"" + carol.id() + "\"]}");
        JsonNode members = ok(http.get(alice, "/rooms/" + enc(created) + "/members"));
        assertThat(members.path("chunk").findValuesAsText("state_key")).contains(carol.id()).doesNotContain(bob.id());

        ok(http.put(bob, "/user/" + enc(bob.id()) + "/account_data/m.invite_permission_config", "{}"));
        ok(http.post(alice, roomPath + "/invite", "{\"user_id\":\"" + bob.id() + "\"}"));
    }

    @Test
    void invitesAlreadyStoredAreHiddenFromSyncWhileBlocked() {
        User alice = http.newUser();
        User bob = http.newUser();
        String room = http.createRoom(alice, "{\"preset\":\"private_chat\"}");
        ok(http.post(alice, "/rooms/" + enc(room) + "/invite", "{\"user_id\":\"" + bob.id() + "\"}"));
        assertThat(ok(http.get(bob, "/sync")).path("rooms").path("invite").has(room)).isTrue();

        ok(http.put(bob, "/user/" + enc(bob.id()) + "/account_data/m.invite_permission_config",
                "{\"default_action\":\"block\"}"));
        assertThat(ok(http.get(bob, "/sync")).path("rooms").path("invite").has(room)).isFalse();
        // Other endpoints are not affected (spec): the invite is in the room's state.
        JsonNode members = ok(http.get(alice, "/rooms/" + enc(room) + "/members"));
        assertThat(members.path("chunk").findValuesAsText("state_key")).contains(bob.id());

        ok(http.put(bob, "/user/" + enc(bob.id()) + "/account_data/m.invite_permission_config", "{}"));
        assertThat(ok(http.get(bob, "/sync")).path("rooms").path("invite").has(room)).isTrue();
    }

    @Test
    void redactionsMayBeSentThroughSendInEveryRoomVersion() {
        User alice = http.newUser();
        for (String version : new String[] {"10", "12"}) {
            String room = http.createRoom(alice, "{\"room_version\":\"" + version + "\"}");
            String target = http.sendText(alice, room, "oops");
            String path = "/rooms/" + enc(room);
            JsonNode sent = ok(http.put(alice, path + "/send/m.room.redaction/red" + version,
                    "{\"redacts\":\"" + target + "\",\"reason\":\"typo\"}"));
            JsonNode redacted = ok(http.get(alice, path + "/event/" + enc(target)));
            assertThat(redacted.path("content").isEmpty()).as(version).isTrue();
            assertThat(redacted.path("unsigned").path("redacted_because").path("event_id").asText())
                    .isEqualTo(sent.path("event_id").asText());
            // The same transaction id answers with the same event.
            JsonNode again = ok(http.put(alice, path + "/send/m.room.redaction/red" + version,
                    "{\"redacts\":\"" + target + "\",\"reason\":\"typo\"}"));
            assertThat(again.path("event_id").asText()).isEqualTo(sent.path("event_id").asText());
            error(http.put(alice, path + "/send/m.room.redaction/bad" + version, "{}"), 400, "M_MISSING_PARAM");
        }
    }

    @Test
    void supportContactsAreServedFromTheConfiguration() {
        JsonNode support = ok(server.client().get("/.well-known/matrix/support"));
        assertThat(support.path("support_page").asText()).isEqualTo("https://example.org/help");
        assertThat(support.path("contacts").findValuesAsText("matrix_id")).containsExactly("@admin:example.org");
        assertThat(support.path("contacts").findValuesAsText("email_address")).containsExactly("admin@example.org");
        assertThat(support.path("contacts").findValuesAsText("role")).containsOnly("m.role.admin");
    }
}

package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.push.PushRulesContributor;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncResponse;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The push rules API over HTTP and m.push_rules in sync, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class PushRulesHttpTest {
    private static final String RULES = "/_matrix/client/v3/pushrules/";

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open");
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    record User(String id, String token) {}

    static User newUser() {
        JsonNode body = AccountsHttpTest.register(client, AccountsHttpTest.newName(), "correct horse battery", "");
        return new User(body.path("user_id").asText(), body.path("access_token").asText());
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static void error(Reply reply, int status, String errcode) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.errcode()).as(reply.body()).isEqualTo(errcode);
    }

    static List<String> ids(JsonNode rules) {
        var ids = new ArrayList<String>();
        rules.forEach(rule -> ids.add(rule.path("rule_id").asText()));
        return ids;
    }

    @Test
    void defaultsAreListedAndCanBeToggledButNotDeleted() {
        User alice = newUser();
        JsonNode global = ok(client.get(RULES, alice.token())).path("global");
        assertThat(ids(global.path("override"))).startsWith(".m.rule.master", ".m.rule.suppress_notices");
        assertThat(ids(global.path("underride"))).endsWith(".m.rule.message", ".m.rule.encrypted");
        assertThat(global.path("content").size()).isZero();
        JsonNode mention = global.path("override").get(4);
        assertThat(mention.path("rule_id").asText()).isEqualTo(".m.rule.is_user_mention");
        assertThat(mention.path("conditions").get(0).path("value").asText()).isEqualTo(alice.id());
        assertThat(mention.path("conditions").get(0).path("key").asText()).isEqualTo("content.m\\.mentions.user_ids");
        assertThat(ok(client.get(RULES + "global/", alice.token())).path("override").size()).isEqualTo(10);

        String master = RULES + "global/override/.m.rule.master";
        assertThat(ok(client.get(master + "/enabled", alice.token())).path("enabled").asBoolean()).isFalse();
        ok(client.request("PUT", master + "/enabled", "{\"enabled\":true}", alice.token()));
        assertThat(ok(client.get(master, alice.token())).path("enabled").asBoolean()).isTrue();
        assertThat(ok(client.get(master, alice.token())).path("default").asBoolean()).isTrue();

        String message = RULES + "global/underride/.m.rule.message";
        ok(client.request("PUT", message + "/actions", "{\"actions\":[]}", alice.token()));
        assertThat(ok(client.get(message + "/actions", alice.token())).path("actions").size()).isZero();
        assertThat(ok(client.get(message, alice.token())).path("enabled").asBoolean()).isTrue();

        error(client.request("DELETE", message, null, alice.token()), 400, "M_INVALID_PARAM");
        error(client.request("PUT", RULES + "global/override/.mine", "{\"actions\":[]}", alice.token()),
                400, "M_INVALID_PARAM");
        error(client.get(RULES + "global/override/nope", alice.token()), 404, "M_NOT_FOUND");
        error(client.get(RULES + "global/nonsense/x", alice.token()), 400, "M_INVALID_PARAM");
        error(client.get(RULES + "device/override/x", alice.token()), 400, "M_INVALID_PARAM");
        error(client.get(RULES), 401, "M_MISSING_TOKEN");

        // The account data API reads the same rules.
        JsonNode accountData = ok(client.get("/_matrix/client/v3/user/" + alice.id().replace("@", "%40")
                .replace(":", "%3A") + "/account_data/m.push_rules", alice.token()));
        assertThat(accountData.path("global").path("override").get(0).path("enabled").asBoolean()).isTrue();

        // Another user still sees the defaults.
        User bob = newUser();
        assertThat(ok(client.get(master + "/enabled", bob.token())).path("enabled").asBoolean()).isFalse();
    }

    @Test
    void userRulesArePlacedBeforeAndAfterOthers() {
        User alice = newUser();
        String content = RULES + "global/content/";
        ok(client.request("PUT", content + "cake", "{\"pattern\":\"cake\",\"actions\":[\"notify\"]}", alice.token()));
        ok(client.request("PUT", content + "tea", "{\"pattern\":\"tea\",\"actions\":[\"notify\"]}", alice.token()));
        assertThat(ids(ok(client.get(RULES, alice.token())).path("global").path("content")))
                .containsExactly("tea", "cake");
        ok(client.request("PUT", content + "lie?before=cake", "{\"pattern\":\"cake*lie\",\"actions\":[\"notify\"]}",
                alice.token()));
        ok(client.request("PUT", content + "pie?after=cake", "{\"pattern\":\"pie\",\"actions\":[]}", alice.token()));
        assertThat(ids(ok(client.get(RULES, alice.token())).path("global").path("content")))
                .containsExactly("tea", "lie", "cake", "pie");
        JsonNode lie = ok(client.get(content + "lie", alice.token()));
        assertThat(lie.path("pattern").asText()).isEqualTo("cake*lie");
        assertThat(lie.path("default").asBoolean()).isFalse();
        assertThat(lie.path("enabled").asBoolean()).isTrue();

        // Replacing keeps the place and the enabled flag.
        ok(client.request("PUT", content + "cake/enabled", "{\"enabled\":false}", alice.token()));
        ok(client.request("PUT", content + "cake", "{\"pattern\":\"cakes\",\"actions\":[]}", alice.token()));
        assertThat(ids(ok(client.get(RULES, alice.token())).path("global").path("content")))
                .containsExactly("tea", "lie", "cake", "pie");
        assertThat(ok(client.get(content + "cake", alice.token())).path("enabled").asBoolean()).isFalse();

        String room = RULES + "global/room/" + "%21room%3Aexample.org";
        ok(client.request("PUT", room, "{\"actions\":[]}", alice.token()));
        assertThat(ok(client.get(room, alice.token())).path("rule_id").asText()).isEqualTo("!room:example.org");
        ok(client.request("DELETE", room, null, alice.token()));
        error(client.get(room, alice.token()), 404, "M_NOT_FOUND");
        error(client.request("DELETE", room, null, alice.token()), 404, "M_NOT_FOUND");

        String override = RULES + "global/override/beer";
        ok(client.request("PUT", override, """
                {"conditions":[{"kind":"event_match","key":"content.body","pattern":"beer"},
                 {"kind":"room_member_count","is":"<=10"}],
                 "actions":["notify",{"set_tweak":"sound","value":"beeroclock.wav"}]}""", alice.token()));
        assertThat(ids(ok(client.get(RULES, alice.token())).path("global").path("override")))
                .startsWith(".m.rule.master", "beer", ".m.rule.suppress_notices");
        assertThat(ok(client.get(override, alice.token())).path("conditions").size()).isEqualTo(2);

        error(client.request("PUT", content + "x?before=nope", "{\"pattern\":\"x\",\"actions\":[]}", alice.token()),
                404, "M_NOT_FOUND");
        error(client.request("PUT", content + "x?after=.m.rule.master", "{\"pattern\":\"x\",\"actions\":[]}",
                alice.token()), 400, "M_INVALID_PARAM");
        error(client.request("PUT", content + "x", "{\"actions\":[]}", alice.token()), 400, "M_MISSING_PARAM");
        error(client.request("PUT", content + "x", "{\"pattern\":\"x\"}", alice.token()), 400, "M_MISSING_PARAM");
        error(client.request("PUT", content + "x", "{\"pattern\":\"x\",\"actions\":[\"explode\"]}", alice.token()),
                400, "M_INVALID_PARAM");
        error(client.request("PUT", content + "x", "{\"pattern\":\"x\",\"actions\":\"notify\"}", alice.token()),
                400, "M_BAD_JSON");
        error(client.request("PUT", override, "{\"conditions\":[1],\"actions\":[]}", alice.token()),
                400, "M_BAD_JSON");
        error(client.request("PUT", content + "x", "not json", alice.token()), 400, "M_NOT_JSON");
        error(client.request("PUT", content + "a%2Fb", "{\"pattern\":\"x\",\"actions\":[]}", alice.token()),
                400, "M_INVALID_PARAM");
        error(client.request("PUT", content + "nope/enabled", "{\"enabled\":true}", alice.token()),
                404, "M_NOT_FOUND");
        error(client.request("PUT", content + "tea/enabled", "{}", alice.token()), 400, "M_MISSING_PARAM");
        error(client.request("PUT", content + "tea/actions", "{\"actions\":{}}", alice.token()), 400, "M_BAD_JSON");
    }

    @Test
    void syncCarriesPushRulesInitiallyAndAfterAChange() {
        User alice = newUser();
        var contributor = new PushRulesContributor(server.homeserver().push().rules());
        long start = contributor.currentPosition();
        var context = new SyncContext(alice.id(), "DEV", true, Set.of(), Set.of(), false);
        var initial = new SyncResponse();
        contributor.contribute(context, 0, start, initial);
        JsonNode event = initial.topLevelEvents().get("account_data").get(0);
        assertThat(event.path("type").asText()).isEqualTo("m.push_rules");
        assertThat(event.path("content").path("global").path("override").size()).isEqualTo(10);

        var incremental = new SyncContext(alice.id(), "DEV", false, Set.of(), Set.of(), false);
        var nothing = new SyncResponse();
        contributor.contribute(incremental, start, contributor.currentPosition(), nothing);
        assertThat(nothing.hasContent()).isFalse();

        ok(client.request("PUT", RULES + "global/sender/%40spam%3Aexample.org", "{\"actions\":[]}", alice.token()));
        long after = contributor.currentPosition();
        assertThat(after).isGreaterThan(start);
        var changed = new SyncResponse();
        contributor.contribute(incremental, start, after, changed);
        assertThat(ids(changed.topLevelEvents().get("account_data").get(0).path("content").path("global")
                .path("sender"))).containsExactly("@spam:example.org");
    }
}

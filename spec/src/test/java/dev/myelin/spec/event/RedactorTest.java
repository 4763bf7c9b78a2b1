package dev.myelin.spec.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per difference between room versions' redaction algorithms. */
class RedactorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static ObjectNode event(String type, String content) {
        return json("""
                {"type": "%s", "state_key": "", "content": %s, "event_id": "$e:x", "room_id": "!r:x", "sender": "@s:x",
                 "hashes": {"sha256": "h"}, "signatures": {"x": {"ed25519:1": "s"}}, "depth": 4, "prev_events": [],
                 "auth_events": [], "origin": "x", "origin_server_ts": 5, "membership": "join", "prev_state": [],
                 "unsigned": {"age": 1}, "redacts": "$r:x", "extra": true}""".formatted(type, content));
    }

    private static ObjectNode contentAfter(RoomVersion version, String type, String content) {
        return (ObjectNode) Redactor.redact(event(type, content), version).get("content");
    }

    @Test
    void v1KeepsEssentialTopLevelKeysOnly() {
        ObjectNode redacted = Redactor.redact(event("m.room.message", "{\"body\": \"hi\"}"), RoomVersion.V1);
        assertThat(redacted).isEqualTo(json("""
                {"type": "m.room.message", "state_key": "", "content": {}, "event_id": "$e:x", "room_id": "!r:x",
                 "sender": "@s:x", "hashes": {"sha256": "h"}, "signatures": {"x": {"ed25519:1": "s"}}, "depth": 4,
                 "prev_events": [], "auth_events": [], "origin": "x", "origin_server_ts": 5, "membership": "join",
                 "prev_state": []}"""));
    }

    @Test
    void doesNotChangeItsInput() {
        ObjectNode event = event("m.room.message", "{\"body\": \"hi\"}");
        ObjectNode copy = event.deepCopy();
        Redactor.redact(event, RoomVersion.V11);
        assertThat(event).isEqualTo(copy);
    }

    @Test
    void v1KeepsTheListedContentKeys() {
        assertThat(contentAfter(RoomVersion.V1, "m.room.member", "{\"membership\": \"join\", \"displayname\": \"A\"}"))
                .isEqualTo(json("{\"membership\": \"join\"}"));
        assertThat(contentAfter(RoomVersion.V1, "m.room.create", "{\"creator\": \"@s:x\", \"m.federate\": false}"))
                .isEqualTo(json("{\"creator\": \"@s:x\"}"));
        assertThat(contentAfter(RoomVersion.V1, "m.room.join_rules", "{\"join_rule\": \"public\", \"x\": 1}"))
                .isEqualTo(json("{\"join_rule\": \"public\"}"));
        assertThat(contentAfter(RoomVersion.V1, "m.room.history_visibility", "{\"history_visibility\": \"shared\", \"x\": 1}"))
                .isEqualTo(json("{\"history_visibility\": \"shared\"}"));
        assertThat(contentAfter(RoomVersion.V1, "m.room.power_levels", """
                {"ban": 50, "events": {"a": 1}, "events_default": 0, "kick": 50, "redact": 50, "state_default": 50,
                 "users": {"@s:x": 100}, "users_default": 0, "invite": 0, "notifications": {"room": 50}}"""))
                .isEqualTo(json("""
                {"ban": 50, "events": {"a": 1}, "events_default": 0, "kick": 50, "redact": 50, "state_default": 50,
                 "users": {"@s:x": 100}, "users_default": 0}"""));
    }

    @Test
    void aliasesContentIsKeptUntilV5AndDroppedFromV6() {
        String aliases = "{\"aliases\": [\"#a:x\"]}";
        assertThat(contentAfter(RoomVersion.V5, "m.room.aliases", aliases)).isEqualTo(json(aliases));
        assertThat(contentAfter(RoomVersion.V6, "m.room.aliases", aliases)).isEmpty();
    }

    @Test
    void joinRulesAllowIsKeptFromV8() {
        String content = "{\"join_rule\": \"restricted\", \"allow\": [{\"type\": \"m.room_membership\", \"room_id\": \"!a:x\"}]}";
        assertThat(contentAfter(RoomVersion.V7, "m.room.join_rules", content)).isEqualTo(json("{\"join_rule\": \"restricted\"}"));
        assertThat(contentAfter(RoomVersion.V8, "m.room.join_rules", content)).isEqualTo(json(content));
    }

    @Test
    void memberJoinAuthorisedViaIsKeptFromV9() {
        String content = "{\"membership\": \"join\", \"join_authorised_via_users_server\": \"@a:x\"}";
        assertThat(contentAfter(RoomVersion.V8, "m.room.member", content)).isEqualTo(json("{\"membership\": \"join\"}"));
        assertThat(contentAfter(RoomVersion.V9, "m.room.member", content)).isEqualTo(json(content));
    }

    @Test
    void createKeepsAllContentFromV11() {
        String content = "{\"creator\": \"@s:x\", \"room_version\": \"10\", \"m.federate\": false}";
        assertThat(contentAfter(RoomVersion.V10, "m.room.create", content)).isEqualTo(json("{\"creator\": \"@s:x\"}"));
        assertThat(contentAfter(RoomVersion.V11, "m.room.create", content)).isEqualTo(json(content));
    }

    @Test
    void powerLevelsInviteIsKeptFromV11() {
        String content = "{\"ban\": 50, \"invite\": 0}";
        assertThat(contentAfter(RoomVersion.V10, "m.room.power_levels", content)).isEqualTo(json("{\"ban\": 50}"));
        assertThat(contentAfter(RoomVersion.V11, "m.room.power_levels", content)).isEqualTo(json(content));
    }

    @Test
    void redactionRedactsIsKeptInContentFromV11() {
        String content = "{\"redacts\": \"$x:x\", \"reason\": \"spam\"}";
        assertThat(contentAfter(RoomVersion.V10, "m.room.redaction", content)).isEmpty();
        assertThat(contentAfter(RoomVersion.V11, "m.room.redaction", content)).isEqualTo(json("{\"redacts\": \"$x:x\"}"));
    }

    @Test
    void memberThirdPartyInviteSignedIsKeptFromV11() {
        String content = """
                {"membership": "invite", "third_party_invite": {"display_name": "b", "signed": {"mxid": "@b:x", "token": "t"}}}""";
        assertThat(contentAfter(RoomVersion.V10, "m.room.member", content)).isEqualTo(json("{\"membership\": \"invite\"}"));
        assertThat(contentAfter(RoomVersion.V11, "m.room.member", content)).isEqualTo(json("""
                {"membership": "invite", "third_party_invite": {"signed": {"mxid": "@b:x", "token": "t"}}}"""));
        assertThat(contentAfter(RoomVersion.V11, "m.room.member", "{\"membership\": \"invite\", \"third_party_invite\": {\"a\": 1}}"))
                .isEqualTo(json("{\"membership\": \"invite\"}"));
    }

    @Test
    void topLevelOriginMembershipAndPrevStateAreDroppedFromV11() {
        ObjectNode v10 = Redactor.redact(event("m.room.message", "{}"), RoomVersion.V10);
        ObjectNode v11 = Redactor.redact(event("m.room.message", "{}"), RoomVersion.V11);
        assertThat(v10.has("origin") && v10.has("membership") && v10.has("prev_state")).isTrue();
        assertThat(v11.has("origin") || v11.has("membership") || v11.has("prev_state")).isFalse();
        assertThat(v11.has("origin_server_ts")).isTrue();
    }

    @Test
    void v12RedactsLikeV11() {
        ObjectNode event = event("m.room.create", "{\"room_version\": \"12\", \"additional_creators\": [\"@b:x\"]}");
        assertThat(Redactor.redact(event, RoomVersion.V12)).isEqualTo(Redactor.redact(event, RoomVersion.V11));
    }

    @Test
    void addsEmptyContentWhenMissingOrNotAnObject() {
        ObjectNode event = json("{\"type\": \"m.room.member\", \"content\": \"oops\"}");
        assertThat(Redactor.redact(event, RoomVersion.V1)).isEqualTo(json("{\"type\": \"m.room.member\", \"content\": {}}"));
        assertThat(Redactor.redact(json("{\"depth\": 1}"), RoomVersion.V1)).isEqualTo(json("{\"depth\": 1, \"content\": {}}"));
    }
}

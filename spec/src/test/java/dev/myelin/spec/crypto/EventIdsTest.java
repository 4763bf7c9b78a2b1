package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Expected ids were computed independently with Python's hashlib and json.dumps(sort_keys=True). */
class EventIdsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static final String MESSAGE = """
            {"auth_events": ["$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], "prev_events": ["$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"],
             "content": {"body": "hello", "msgtype": "m.text"}, "depth": 5, "hashes": {"sha256": "abc"}, "origin": "example.org", "origin_server_ts": 1700000000000,
             "room_id": "!r:example.org", "sender": "@alice:example.org", "type": "m.room.message",
             "signatures": {"example.org": {"ed25519:1": "sig"}}, "unsigned": {"age": 5}}""";

    static final String V12_CREATE = """
            {"auth_events": [], "prev_events": [], "depth": 1, "hashes": {"sha256": "abc"},
             "content": {"room_version": "12", "m.federate": true, "additional_creators": ["@bob:example.org"]},
             "origin_server_ts": 1700000000000, "sender": "@alice:example.org", "state_key": "",
             "type": "m.room.create", "signatures": {"example.org": {"ed25519:1": "sig"}}, "unsigned": {"age": 5},
             "origin": "example.org"}""";

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) MAPPER.readTree(text);
    }

    @Test
    void v1AndV2TakeTheEventIdFromTheEvent() throws Exception {
        ObjectNode event = json(MESSAGE).put("event_id", "$abc:example.org");
        assertThat(EventIds.eventId(event, RoomVersion.V1)).isEqualTo("$abc:example.org");
        assertThat(EventIds.eventId(event, RoomVersion.V2)).isEqualTo("$abc:example.org");
        assertThatThrownBy(() -> EventIds.eventId(json(MESSAGE), RoomVersion.V2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void v3UsesStandardBase64OfTheReferenceHash() throws Exception {
        assertThat(EventIds.eventId(json(MESSAGE), RoomVersion.V3)).isEqualTo("$VINa4OeB4zy5fpO0o+8LsLmrjrO/zYnrRmoWxvfZVh0");
    }

    @Test
    void v4UsesUrlSafeBase64OfTheReferenceHash() throws Exception {
        assertThat(EventIds.eventId(json(MESSAGE), RoomVersion.V4)).isEqualTo("$VINa4OeB4zy5fpO0o-8LsLmrjrO_zYnrRmoWxvfZVh0");
        assertThat(EventIds.eventId(json(MESSAGE), RoomVersion.V10)).isEqualTo("$VINa4OeB4zy5fpO0o-8LsLmrjrO_zYnrRmoWxvfZVh0");
    }

    @Test
    void referenceHashIgnoresWhatRedactionRemoves() throws Exception {
        ObjectNode changed = json(MESSAGE);
        changed.put("unsigned", 7).putObject("content").put("body", "edited");
        ((ObjectNode) changed.get("signatures")).put("other.org", "x");
        assertThat(EventIds.eventId(changed, RoomVersion.V4)).isEqualTo("$VINa4OeB4zy5fpO0o-8LsLmrjrO_zYnrRmoWxvfZVh0");
        changed.put("depth", 6);
        assertThat(EventIds.eventId(changed, RoomVersion.V4)).isNotEqualTo("$VINa4OeB4zy5fpO0o-8LsLmrjrO_zYnrRmoWxvfZVh0");
    }

    @Test
    void v12RoomIdIsTheCreateEventsUrlSafeReferenceHash() throws Exception {
        ObjectNode create = json(V12_CREATE);
        assertThat(EventIds.roomIdFromCreateEvent(create, RoomVersion.V12)).isEqualTo("!8s-COYpGrox2h8Of37td3e5ShdRNiZvnGPS-2HX9yeA");
        assertThat(EventIds.eventId(create, RoomVersion.V12)).isEqualTo("$8s-COYpGrox2h8Of37td3e5ShdRNiZvnGPS-2HX9yeA");
        assertThatThrownBy(() -> EventIds.roomIdFromCreateEvent(create, RoomVersion.V11))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

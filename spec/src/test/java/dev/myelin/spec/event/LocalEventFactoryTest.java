package dev.myelin.spec.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.EventHashes;
import dev.myelin.spec.crypto.EventSigner;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.json.CanonicalJson;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalEventFactoryTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SigningKey KEY = SigningKey.fromBase64Seed("ed25519:1", "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");
    private static final LocalEventFactory FACTORY = new LocalEventFactory("example.org", KEY);

    private static ObjectNode draft(String text) throws Exception {
        return (ObjectNode) MAPPER.readTree(text);
    }

    @Test
    void createsAV12RoomAndAMessageInIt() throws Exception {
        EncodedPdu create = FACTORY.create(draft("""
                {"type": "m.room.create", "state_key": "", "sender": "@alice:example.org", "depth": 1,
                 "origin_server_ts": 1700000000000, "content": {"room_version": "12"}, "prev_events": [],
                 "auth_events": []}"""), RoomVersion.V12);
        String roomId = create.pdu().roomId();
        assertThat(roomId).isEqualTo("!" + create.eventId().substring(1)).hasSize(44);

        EncodedPdu message = FACTORY.create(draft("""
                {"type": "m.room.message", "sender": "@alice:example.org", "depth": 2, "origin_server_ts": 1700000000001,
                 "content": {"body": "hi"}, "prev_events": ["%s"], "auth_events": []}""".formatted(create.eventId()))
                .put("room_id", roomId), RoomVersion.V12);

        ObjectNode json = message.pdu().json();
        assertThat(EventHashes.hasValidContentHash(json, RoomVersion.V12)).isTrue();
        assertThat(EventSigner.verify(json, RoomVersion.V12, "example.org", KEY.verifyKey())).isTrue();
        assertThat(message.bytes()).isEqualTo(CanonicalJson.STRICT.encode(json));
        // The sent bytes parse back to the same event id.
        assertThat(PduParser.parse(message.bytes(), RoomVersion.V12).eventId()).isEqualTo(message.eventId());
    }

    @Test
    void givesV1EventsAnIdOnThisServer() throws Exception {
        EncodedPdu event = FACTORY.create(draft("""
                {"type": "m.room.message", "sender": "@alice:example.org", "room_id": "!r:example.org", "depth": 2,
                 "origin_server_ts": 1, "content": {}, "prev_events": [], "auth_events": [], "unsigned": {"a": 1}}"""),
                RoomVersion.V1);
        assertThat(event.eventId()).matches("\\$[A-Za-z]{18}:example\\.org");
        assertThat(event.pdu().json().has("unsigned")).isFalse();
        assertThat(PduParser.parse(event.bytes(), RoomVersion.V1).eventId()).isEqualTo(event.eventId());
    }

    @Test
    void refusesMalformedDrafts() {
        assertThatThrownBy(() -> FACTORY.create(draft("{\"type\": \"m.room.message\"}"), RoomVersion.V12))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("sender is missing");
    }
}

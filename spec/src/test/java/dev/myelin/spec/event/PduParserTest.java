package dev.myelin.spec.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PduParserTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Non-canonical on purpose: spaces and unsorted keys must survive in the kept bytes. */
    private static final String MESSAGE = """
            {"auth_events": ["$aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], "prev_events": ["$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"],
             "content": {"body": "hello", "msgtype": "m.text"}, "depth": 5, "hashes": {"sha256": "abc"}, "origin": "example.org", "origin_server_ts": 1700000000000,
             "room_id": "!r:example.org", "sender": "@alice:example.org", "type": "m.room.message",
             "signatures": {"example.org": {"ed25519:1": "sig"}}, "unsigned": {"age": 5}}""";

    private static final String V12_CREATE = """
            {"auth_events": [], "prev_events": [], "depth": 1, "hashes": {"sha256": "abc"},
             "content": {"room_version": "12", "m.federate": true, "additional_creators": ["@bob:example.org"]},
             "origin_server_ts": 1700000000000, "sender": "@alice:example.org", "state_key": "",
             "type": "m.room.create", "signatures": {"example.org": {"ed25519:1": "sig"}}, "unsigned": {"age": 5},
             "origin": "example.org"}""";

    private static final String V1_MESSAGE = """
            {"event_id": "$e1:example.org", "auth_events": [["$a:example.org", {"sha256": "x"}]],
             "prev_events": [["$b:example.org", {"sha256": "y"}]], "content": {"body": 1.5},
             "depth": 9007199254740993, "hashes": {"sha256": "abc"}, "origin_server_ts": 1,
             "room_id": "!r:example.org", "sender": "@Alice:example.org", "type": "m.room.message", "signatures": {}}""";

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static String with(String json, String key, String rawValue) throws Exception {
        ObjectNode node = (ObjectNode) MAPPER.readTree(json);
        if (rawValue == null) {
            node.remove(key);
        } else {
            node.set(key, MAPPER.readTree(rawValue));
        }
        return MAPPER.writeValueAsString(node);
    }

    @Test
    void computesTheEventIdAndKeepsTheOriginalBytes() {
        EncodedPdu encoded = PduParser.parse(bytes(MESSAGE), RoomVersion.V10);
        assertThat(encoded.eventId()).isEqualTo("$VINa4OeB4zy5fpO0o-8LsLmrjrO_zYnrRmoWxvfZVh0");
        assertThat(encoded.bytes()).isEqualTo(bytes(MESSAGE));
        Pdu pdu = encoded.pdu();
        assertThat(pdu.type()).isEqualTo("m.room.message");
        assertThat(pdu.prevEvents()).containsExactly("$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        assertThat(pdu.roomVersion()).isEqualTo(RoomVersion.V10);
    }

    @Test
    void takesTheEventIdFromV1EventsAndToleratesTheirOddJson() {
        EncodedPdu encoded = PduParser.parse(bytes(V1_MESSAGE), RoomVersion.V1);
        assertThat(encoded.eventId()).isEqualTo("$e1:example.org");
        assertThat(encoded.pdu().authEvents()).containsExactly("$a:example.org");
        assertThat(encoded.pdu().content().get("body").doubleValue()).isEqualTo(1.5);
    }

    @Test
    void derivesTheV12RoomIdFromTheCreateEvent() {
        Pdu create = PduParser.parse(bytes(V12_CREATE), RoomVersion.V12).pdu();
        assertThat(create.eventId()).isEqualTo("$8s-COYpGrox2h8Of37td3e5ShdRNiZvnGPS-2HX9yeA");
        assertThat(create.roomId()).isEqualTo("!8s-COYpGrox2h8Of37td3e5ShdRNiZvnGPS-2HX9yeA");
    }

    @Test
    void strictVersionsRejectFloatsAndDuplicateKeys() throws Exception {
        String floaty = with(MESSAGE, "content", "{\"n\": 1.5}");
        assertThat(PduParser.parse(bytes(floaty), RoomVersion.V5).pdu().content().get("n").doubleValue()).isEqualTo(1.5);
        assertThatThrownBy(() -> PduParser.parse(bytes(floaty), RoomVersion.V6))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("float");
        String duplicated = MESSAGE.replace("\"depth\": 5,", "\"depth\": 5, \"depth\": 6,");
        assertThatThrownBy(() -> PduParser.parse(bytes(duplicated), RoomVersion.V6))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("Duplicate");
        String huge = with(MESSAGE, "depth", "9007199254740992");
        assertThatThrownBy(() -> PduParser.parse(bytes(huge), RoomVersion.V6)).isInstanceOf(MalformedPduException.class);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "type|             |type is missing",
            "type|5            |type must be a string",
            "sender|\"alice\"  |bad sender",
            "room_id|          |room_id is missing",
            "room_id|\"!abc\"   |bad room_id",
            "content|[]        |content must be an object",
            "depth|-1          |depth must be a non-negative integer",
            "depth|\"3\"       |depth must be a non-negative integer",
            "origin_server_ts| |origin_server_ts is missing",
            "hashes|{}         |hashes must be an object with a string sha256",
            "signatures|       |signatures is missing",
            "prev_events|{}    |prev_events must be an array",
            "prev_events|[[\"$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\", {}]]|prev_events must hold event id strings",
            "auth_events|[\"$a:example.org\"]|bad auth_events",
            "state_key|1       |state_key must be a string",
    })
    void rejectsMalformedEvents(String key, String rawValue, String message) throws Exception {
        assertThatThrownBy(() -> PduParser.parse(bytes(with(MESSAGE, key, rawValue)), RoomVersion.V10))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining(message);
    }

    @Test
    void limitsReferenceCounts() throws Exception {
        String tooMany = with(MESSAGE, "prev_events", "[" + "\"$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",".repeat(21) + "\"$bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"]");
        assertThatThrownBy(() -> PduParser.parse(bytes(tooMany), RoomVersion.V10))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("at most 20");
    }

    @Test
    void checksLengthsOfTypeAndStateKey() throws Exception {
        String longType = with(MESSAGE, "type", "\"" + "t".repeat(256) + "\"");
        assertThatThrownBy(() -> PduParser.parse(bytes(longType), RoomVersion.V10))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("255 bytes");
        String longStateKey = with(MESSAGE, "state_key", "\"" + "é".repeat(128) + "\"");
        assertThatThrownBy(() -> PduParser.parse(bytes(longStateKey), RoomVersion.V10))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("255 bytes");
    }

    @Test
    void rejectsEventsOver64KiB() throws Exception {
        String big = with(MESSAGE, "content", "{\"body\": \"" + "x".repeat(65536) + "\"}");
        assertThatThrownBy(() -> PduParser.parse(bytes(big), RoomVersion.V10))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("larger than 65536");
    }

    @Test
    void enforcesTheRoomIdFormOfTheVersion() throws Exception {
        assertThatThrownBy(() -> PduParser.parse(bytes(with(V12_CREATE, "room_id", "\"!r:example.org\"")), RoomVersion.V12))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("has no room_id");
        assertThatThrownBy(() -> PduParser.parse(bytes(MESSAGE), RoomVersion.V12))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("wrong form");
        String hashedRoom = with(MESSAGE, "room_id", "\"!8s-COYpGrox2h8Of37td3e5ShdRNiZvnGPS-2HX9yeA\"");
        assertThat(PduParser.parse(bytes(hashedRoom), RoomVersion.V12).pdu().roomId())
                .isEqualTo("!8s-COYpGrox2h8Of37td3e5ShdRNiZvnGPS-2HX9yeA");
        assertThatThrownBy(() -> PduParser.parse(bytes(hashedRoom), RoomVersion.V11))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("wrong form");
    }

    @Test
    void v1EventsNeedTheirEventIdAndReferencePairs() throws Exception {
        assertThatThrownBy(() -> PduParser.parse(bytes(with(V1_MESSAGE, "event_id", null)), RoomVersion.V1))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("event_id is missing");
        assertThatThrownBy(() -> PduParser.parse(bytes(with(V1_MESSAGE, "prev_events", "[\"$b:example.org\"]")), RoomVersion.V2))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("pairs");
    }

    @Test
    void rejectsNonObjectsAndBrokenJson() {
        assertThatThrownBy(() -> PduParser.parse(bytes("[]"), RoomVersion.V10))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> PduParser.parse(new byte[]{'{', (byte) 0xFF, '}'}, RoomVersion.V10))
                .isInstanceOf(MalformedPduException.class).hasMessageContaining("UTF-8");
    }

    @Test
    void rereadsStoredEventsWithoutRecomputingTheirId() {
        EncodedPdu stored = PduParser.parseStored(bytes(MESSAGE), RoomVersion.V10, "$stored");
        assertThat(stored.eventId()).isEqualTo("$stored");
        assertThat(stored.bytes()).isEqualTo(bytes(MESSAGE));
        assertThat(stored.pdu().sender()).isEqualTo("@alice:example.org");
        assertThatThrownBy(() -> PduParser.parseStored(bytes("[]"), RoomVersion.V10, "$x"))
                .isInstanceOf(MalformedPduException.class);
    }
}

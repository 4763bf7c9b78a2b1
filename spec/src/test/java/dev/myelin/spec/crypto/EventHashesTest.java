package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.json.InvalidJsonException;
import dev.myelin.spec.json.MatrixJsonParser;
import dev.myelin.spec.json.UnpaddedBase64;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventHashesTest {
    /** Floats and a 64-bit integer, as old rooms may hold. */
    private static final String ODD_NUMBERS = """
            {"content": {"big": 18446744073709551616, "f": 50.0, "g": 1e16, "h": 0.1, "n": -0.0}, "depth": 1,
             "origin_server_ts": 1, "room_id": "!r:x", "sender": "@a:x", "type": "t", "event_id": "$e:x",
             "prev_events": [], "auth_events": [], "signatures": {}, "hashes": {}, "unsigned": {}}""";

    private static ObjectNode oddNumbers() {
        return MatrixJsonParser.LENIENT.parseObject(ODD_NUMBERS.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oldRoomVersionsHashLikeThePythonReference() {
        // Expected value from Python: sha256(json.dumps(event, ensure_ascii=False, separators=(',',':'), sort_keys=True))
        assertThat(UnpaddedBase64.encode(EventHashes.contentHash(oddNumbers(), RoomVersion.V5)))
                .isEqualTo("Apq8qdVARuHfbojgHmN6XatrUtApblI99sDs/XyQWX0");
    }

    @Test
    void strictRoomVersionsRefuseToHashWhatCanonicalJsonCannotHold() {
        assertThatThrownBy(() -> EventHashes.contentHash(oddNumbers(), RoomVersion.V6))
                .isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void contentHashIgnoresUnsignedSignaturesAndHashes() {
        ObjectNode event = oddNumbers();
        byte[] before = EventHashes.contentHash(event, RoomVersion.V1);
        event.putObject("unsigned").put("age", 5);
        event.putObject("signatures").put("x", "y");
        event.putObject("hashes").put("sha256", "z");
        assertThat(EventHashes.contentHash(event, RoomVersion.V1)).isEqualTo(before);
        event.put("depth", 2);
        assertThat(EventHashes.contentHash(event, RoomVersion.V1)).isNotEqualTo(before);
    }

    @Test
    void rejectsMissingOrMalformedClaimedHashes() {
        ObjectNode event = oddNumbers();
        assertThat(EventHashes.hasValidContentHash(event, RoomVersion.V1)).isFalse();
        event.putObject("hashes").put("sha256", "!!!");
        assertThat(EventHashes.hasValidContentHash(event, RoomVersion.V1)).isFalse();
        event.putObject("hashes").put("sha256", "Apq8qdVARuHfbojgHmN6XatrUtApblI99sDs/XyQWX0");
        assertThat(EventHashes.hasValidContentHash(event, RoomVersion.V1)).isTrue();
    }
}

package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.ReceivedEventVerifier.Outcome;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class ReceivedEventVerifierTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SigningKey ORIGIN = SigningKey.fromSeed("ed25519:o", new byte[32]);
    private static final SigningKey OTHER = SigningKey.fromSeed("ed25519:x", filled(7));
    private static final Map<String, SigningKey> KEYS = Map.of("origin.org", ORIGIN, "other.org", OTHER);
    private static final VerifyKeyLookup LOOKUP = (server, keyId, validAt) ->
            Optional.ofNullable(KEYS.get(server)).filter(k -> k.keyId().equals(keyId)).map(SigningKey::verifyKey);

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static ObjectNode message(String sender) throws Exception {
        return (ObjectNode) MAPPER.readTree("""
                {"type": "m.room.message", "sender": "%s", "room_id": "!r:origin.org", "depth": 3,
                 "origin_server_ts": 1000, "content": {"body": "hi"}, "prev_events": [], "auth_events": []}"""
                .formatted(sender));
    }

    @Test
    void acceptsAnEventSignedByTheSendersServer() throws Exception {
        ObjectNode event = EventSigner.hashAndSign(message("@a:origin.org"), RoomVersion.V10, "origin.org", ORIGIN);
        assertThat(ReceivedEventVerifier.verify(event, RoomVersion.V10, LOOKUP)).isEqualTo(new Outcome.Verified());
    }

    @Test
    void keepsOnlyTheRedactedFormWhenTheContentHashFails() throws Exception {
        ObjectNode event = EventSigner.hashAndSign(message("@a:origin.org"), RoomVersion.V10, "origin.org", ORIGIN);
        ((ObjectNode) event.get("content")).put("body", "tampered");
        Outcome outcome = ReceivedEventVerifier.verify(event, RoomVersion.V10, LOOKUP);
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Redacted.class,
                redacted -> assertThat(redacted.redactedEvent().get("content")).isEmpty());
    }

    @Test
    void rejectsTamperedEssentialKeys() throws Exception {
        ObjectNode event = EventSigner.hashAndSign(message("@a:origin.org"), RoomVersion.V10, "origin.org", ORIGIN);
        event.put("depth", 4);
        assertThat(ReceivedEventVerifier.verify(event, RoomVersion.V10, LOOKUP))
                .isEqualTo(new Outcome.Rejected("bad signature by origin.org key ed25519:o"));
    }

    @Test
    void rejectsEventsNotSignedByTheSendersServer() throws Exception {
        ObjectNode event = EventSigner.hashAndSign(message("@a:origin.org"), RoomVersion.V10, "other.org", OTHER);
        assertThat(ReceivedEventVerifier.verify(event, RoomVersion.V10, LOOKUP))
                .isEqualTo(new Outcome.Rejected("no signature by a known key of origin.org"));
    }

    @Test
    void skipsUnknownKeysButNeedsOneKnownSignature() throws Exception {
        ObjectNode event = EventSigner.hashAndSign(message("@a:origin.org"), RoomVersion.V10, "origin.org", ORIGIN);
        ((ObjectNode) event.get("signatures").get("origin.org")).put("ed25519:old", "garbage");
        assertThat(ReceivedEventVerifier.verify(event, RoomVersion.V10, LOOKUP)).isEqualTo(new Outcome.Verified());
        assertThat(ReceivedEventVerifier.verify(event, RoomVersion.V10, (s, k, t) -> Optional.empty()))
                .isInstanceOf(Outcome.Rejected.class);
    }

    @Test
    void v1EventsAlsoNeedTheEventIdServersSignature() throws Exception {
        ObjectNode event = message("@a:origin.org").put("event_id", "$e:other.org");
        EventSigner.hashAndSign(event, RoomVersion.V1, "origin.org", ORIGIN);
        assertThat(ReceivedEventVerifier.verify(event, RoomVersion.V1, LOOKUP))
                .isEqualTo(new Outcome.Rejected("no signature by a known key of other.org"));
        EventSigner.hashAndSign(event, RoomVersion.V1, "other.org", OTHER);
        assertThat(ReceivedEventVerifier.verify(event, RoomVersion.V1, LOOKUP)).isEqualTo(new Outcome.Verified());
        ObjectNode v3 = message("@a:origin.org").put("event_id", "$e:other.org");
        EventSigner.hashAndSign(v3, RoomVersion.V3, "origin.org", ORIGIN);
        assertThat(ReceivedEventVerifier.verify(v3, RoomVersion.V3, LOOKUP)).isEqualTo(new Outcome.Verified());
    }

    @Test
    void thirdPartyInvitesMayComeFromAnotherServer() throws Exception {
        ObjectNode invite = (ObjectNode) MAPPER.readTree("""
                {"type": "m.room.member", "state_key": "@b:third.org", "sender": "@a:origin.org", "room_id": "!r:origin.org",
                 "depth": 3, "origin_server_ts": 1000, "prev_events": [], "auth_events": [],
                 "content": {"membership": "invite", "third_party_invite": {"signed": {"token": "t"}}}}""");
        EventSigner.hashAndSign(invite, RoomVersion.V10, "other.org", OTHER);
        assertThat(ReceivedEventVerifier.verify(invite, RoomVersion.V10, LOOKUP)).isEqualTo(new Outcome.Verified());
    }

    @Test
    void asksForKeysValidAtTheEventTimeFromV5() throws Exception {
        List<OptionalLong> asked = new ArrayList<>();
        VerifyKeyLookup recording = (server, keyId, validAt) -> {
            asked.add(validAt);
            return LOOKUP.find(server, keyId, validAt);
        };
        ReceivedEventVerifier.verify(EventSigner.hashAndSign(message("@a:origin.org"), RoomVersion.V4, "origin.org", ORIGIN),
                RoomVersion.V4, recording);
        ReceivedEventVerifier.verify(EventSigner.hashAndSign(message("@a:origin.org"), RoomVersion.V5, "origin.org", ORIGIN),
                RoomVersion.V5, recording);
        assertThat(asked).containsExactly(OptionalLong.empty(), OptionalLong.of(1000));
    }

    @Test
    void rejectsMalformedSenders() throws Exception {
        ObjectNode event = EventSigner.hashAndSign(message("nobody"), RoomVersion.V10, "origin.org", ORIGIN);
        assertThat(ReceivedEventVerifier.verify(event, RoomVersion.V10, LOOKUP)).isInstanceOf(Outcome.Rejected.class);
    }

    @Test
    void cosigningAddsASignatureWithoutTouchingHashes() throws Exception {
        ObjectNode join = EventSigner.hashAndSign(message("@a:origin.org"), RoomVersion.V10, "origin.org", ORIGIN);
        String hash = join.get("hashes").get("sha256").textValue();
        String originSignature = join.get("signatures").get("origin.org").get("ed25519:o").textValue();
        EventSigner.cosign(join, RoomVersion.V10, "other.org", OTHER);
        assertThat(join.get("hashes").get("sha256").textValue()).isEqualTo(hash);
        assertThat(join.get("signatures").get("origin.org").get("ed25519:o").textValue()).isEqualTo(originSignature);
        assertThat(EventSigner.verify(join, RoomVersion.V10, "other.org", OTHER.verifyKey())).isTrue();
        assertThat(ReceivedEventVerifier.verify(join, RoomVersion.V10, LOOKUP)).isEqualTo(new Outcome.Verified());
    }

    @Test
    void aRestrictedJoinNeedsTheAuthorisingServersSignatureFromV8() throws Exception {
        ObjectNode join = (ObjectNode) MAPPER.readTree("""
                {"type": "m.room.member", "state_key": "@a:origin.org", "sender": "@a:origin.org",
                 "room_id": "!r:other.org", "depth": 3, "origin_server_ts": 1000, "prev_events": [],
                 "auth_events": [], "content": {"membership": "join",
                 "join_authorised_via_users_server": "@mod:other.org"}}""");
        EventSigner.hashAndSign(join, RoomVersion.V8, "origin.org", ORIGIN);
        assertThat(ReceivedEventVerifier.verify(join, RoomVersion.V8, LOOKUP))
                .isEqualTo(new Outcome.Rejected("no signature by a known key of other.org"));
        // A signature by a key nobody can find does not count.
        ((ObjectNode) join.get("signatures")).putObject("other.org").put("ed25519:unknown", "forged");
        assertThat(ReceivedEventVerifier.verify(join, RoomVersion.V8, LOOKUP)).isInstanceOf(Outcome.Rejected.class);
        EventSigner.cosign(join, RoomVersion.V8, "other.org", OTHER);
        assertThat(ReceivedEventVerifier.verify(join, RoomVersion.V8, LOOKUP)).isEqualTo(new Outcome.Verified());
        // Before v8 the key means nothing.
        ObjectNode v7 = join.deepCopy();
        v7.remove("signatures");
        EventSigner.hashAndSign(v7, RoomVersion.V7, "origin.org", ORIGIN);
        assertThat(ReceivedEventVerifier.verify(v7, RoomVersion.V7, LOOKUP)).isEqualTo(new Outcome.Verified());
    }
}

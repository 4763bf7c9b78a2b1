package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Spec appendices "Cryptographic Test Vectors", byte for byte. */
class SpecTestVectorsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final SigningKey KEY = SigningKey.fromBase64Seed("ed25519:1", "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) MAPPER.readTree(text);
    }

    @Test
    void signsTheEmptyObject() throws Exception {
        ObjectNode signed = JsonSigner.sign(json("{}"), "domain", KEY);
        assertThat(signed).isEqualTo(json("""
                {"signatures": {"domain": {"ed25519:1":
                  "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"}}}"""));
        assertThat(JsonSigner.verify(signed, "domain", KEY.verifyKey())).isTrue();
    }

    @Test
    void signsAnObjectWithData() throws Exception {
        ObjectNode signed = JsonSigner.sign(json("{\"one\": 1, \"two\": \"Two\"}"), "domain", KEY);
        assertThat(signed).isEqualTo(json("""
                {"one": 1,
                 "signatures": {"domain": {"ed25519:1":
                   "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"}},
                 "two": "Two"}"""));
    }

    @Test
    void signsTheMinimalEvent() throws Exception {
        ObjectNode event = json("""
                {"room_id": "!x:domain", "sender": "@a:domain", "origin": "domain", "origin_server_ts": 1000000,
                 "signatures": {}, "hashes": {}, "type": "X", "content": {}, "prev_events": [], "auth_events": [],
                 "depth": 3, "unsigned": {"age_ts": 1000000}}""");
        EventSigner.hashAndSign(event, RoomVersion.V1, "domain", KEY);
        assertThat(event).isEqualTo(json("""
                {"auth_events": [], "content": {}, "depth": 3,
                 "hashes": {"sha256": "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos"},
                 "origin": "domain", "origin_server_ts": 1000000, "prev_events": [], "room_id": "!x:domain",
                 "sender": "@a:domain",
                 "signatures": {"domain": {"ed25519:1":
                   "KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg"}},
                 "type": "X", "unsigned": {"age_ts": 1000000}}"""));
        assertThat(EventHashes.hasValidContentHash(event, RoomVersion.V1)).isTrue();
        assertThat(EventSigner.verify(event, RoomVersion.V1, "domain", KEY.verifyKey())).isTrue();
    }

    @Test
    void signsAnEventWithRedactableContent() throws Exception {
        ObjectNode event = json("""
                {"content": {"body": "Here is the message content"}, "event_id": "$0:domain", "origin": "domain",
                 "origin_server_ts": 1000000, "type": "m.room.message", "room_id": "!r:domain",
                 "sender": "@u:domain", "signatures": {}, "unsigned": {"age_ts": 1000000}}""");
        EventSigner.hashAndSign(event, RoomVersion.V1, "domain", KEY);
        assertThat(event).isEqualTo(json("""
                {"content": {"body": "Here is the message content"}, "event_id": "$0:domain",
                 "hashes": {"sha256": "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g"},
                 "origin": "domain", "origin_server_ts": 1000000, "type": "m.room.message", "room_id": "!r:domain",
                 "sender": "@u:domain",
                 "signatures": {"domain": {"ed25519:1":
                   "Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA"}},
                 "unsigned": {"age_ts": 1000000}}"""));
    }

    @Test
    void signatureSurvivesRedactionButContentHashDoesNot() throws Exception {
        ObjectNode event = json("""
                {"content": {"body": "secret"}, "event_id": "$0:domain", "origin_server_ts": 1,
                 "type": "m.room.message", "room_id": "!r:domain", "sender": "@u:domain"}""");
        EventSigner.hashAndSign(event, RoomVersion.V1, "domain", KEY);
        ObjectNode redacted = dev.myelin.spec.event.Redactor.redact(event, RoomVersion.V1);
        assertThat(EventSigner.verify(redacted, RoomVersion.V1, "domain", KEY.verifyKey())).isTrue();
        assertThat(EventHashes.hasValidContentHash(redacted, RoomVersion.V1)).isFalse();
    }
}

package dev.myelin.server.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.spec.auth.AuthEventSelector;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.crypto.VerifyKey;
import dev.myelin.spec.crypto.VerifyKeyLookup;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.LocalEventFactory;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Another homeserver in tests: signs events it builds by hand, with the auth events picked from a given state. */
public final class FakeRemoteServer {
    private final String name;
    private final SigningKey key;
    private final LocalEventFactory factory;
    private long clock = 1_700_000_000_000L;

    public FakeRemoteServer(String name) {
        this.name = name;
        this.key = SigningKey.generate("ed25519:" + name.charAt(0), new SecureRandom());
        this.factory = new LocalEventFactory(name, key);
    }

    public String name() {
        return name;
    }

    public String user(String localpart) {
        return "@" + localpart + ":" + name;
    }

    public SigningKey key() {
        return key;
    }

    /** Finds this server's key and those of {@code others}. */
    public VerifyKeyLookup keys(Map<String, VerifyKey> others) {
        return (server, keyId, validAt) -> {
            if (server.equals(name) && keyId.equals(key.keyId())) {
                return Optional.of(key.verifyKey());
            }
            VerifyKey other = others.get(server);
            return other != null && other.keyId().equals(keyId) ? Optional.of(other) : Optional.empty();
        };
    }

    /**
     * An event signed by this server, citing as auth events those of {@code state} the rules select, and the given
     * prev_events; depth is one more than {@code depth}.
     */
    public EncodedPdu event(RoomVersion version, String roomId, String sender, String type, String stateKey,
                            ObjectNode content, List<String> prevEvents, Map<StateKey, Pdu> state, long depth) {
        ObjectNode draft = Json.MAPPER.createObjectNode();
        draft.put("type", type);
        if (stateKey != null) {
            draft.put("state_key", stateKey);
        }
        draft.put("sender", sender);
        draft.put("room_id", roomId);
        draft.set("content", content);
        draft.put("origin_server_ts", ++clock);
        draft.put("depth", depth + 1);
        ArrayNode prev = draft.putArray("prev_events");
        prevEvents.forEach(prev::add);
        ArrayNode auth = draft.putArray("auth_events");
        for (StateKey key : AuthEventSelector.select(version, type, stateKey, sender, content)) {
            Pdu event = state.get(key);
            if (event != null) {
                auth.add(event.eventId());
            }
        }
        return factory.create(draft, version);
    }

    public static ObjectNode membership(String membership) {
        return Json.MAPPER.createObjectNode().put("membership", membership);
    }

    public static ObjectNode text(String body) {
        return Json.MAPPER.createObjectNode().put("msgtype", "m.text").put("body", body);
    }
}

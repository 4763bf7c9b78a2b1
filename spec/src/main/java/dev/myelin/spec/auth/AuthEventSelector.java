package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.LinkedHashSet;
import java.util.Set;

/** Which state entries an event cites as auth events (spec: server-server-api "Auth events selection"). */
public final class AuthEventSelector {
    private AuthEventSelector() {}

    public static Set<StateKey> select(Pdu event) {
        return select(event.roomVersion(), event.type(), event.stateKey(), event.sender(), event.content());
    }

    /**
     * The keys of the auth events for a new event; empty for m.room.create. From v12 the create
     * event is never selected: the room id implies it.
     */
    public static Set<StateKey> select(
            RoomVersion version, String type, String stateKey, String sender, ObjectNode content) {
        var keys = new LinkedHashSet<StateKey>(8);
        if (AuthState.CREATE.equals(type) && "".equals(stateKey)) {
            return keys;
        }
        if (!version.authorization().roomIdFromCreateEvent()) {
            keys.add(AuthState.CREATE_KEY);
        }
        keys.add(AuthState.POWER_LEVELS_KEY);
        keys.add(new StateKey(AuthState.MEMBER, sender));
        if (AuthState.MEMBER.equals(type) && stateKey != null) {
            keys.add(new StateKey(AuthState.MEMBER, stateKey));
            String membership = content.path("membership").asText("");
            if (membership.equals("join") || membership.equals("invite") || membership.equals("knock")) {
                keys.add(AuthState.JOIN_RULES_KEY);
            }
            if (membership.equals("invite")) {
                JsonNode token = content.path("third_party_invite").path("signed").get("token");
                if (token != null && token.isTextual()) {
                    keys.add(new StateKey(AuthState.THIRD_PARTY_INVITE, token.asText()));
                }
            }
            if (membership.equals("join") && version.authorization().restrictedJoins()) {
                JsonNode authoriser = content.get("join_authorised_via_users_server");
                if (authoriser != null && authoriser.isTextual()) {
                    keys.add(new StateKey(AuthState.MEMBER, authoriser.asText()));
                }
            }
        }
        return keys;
    }
}

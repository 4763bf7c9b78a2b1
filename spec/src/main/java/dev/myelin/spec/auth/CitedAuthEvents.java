package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.util.HashMap;
import java.util.Map;

/**
 * The state an event's own auth_events describe, skipping unknown and rejected ones; from v12 with
 * the create event its room id names (MSC4291), since auth_events no longer cite it.
 */
final class CitedAuthEvents {
    private CitedAuthEvents() {}

    static Map<StateKey, Pdu> of(Pdu event, EventLookup lookup) {
        var auth = new HashMap<StateKey, Pdu>(8);
        for (String id : event.authEvents()) {
            Pdu authEvent = lookup.get(id);
            if (authEvent != null && authEvent.isState() && !lookup.isRejected(id)) {
                auth.put(StateKey.of(authEvent), authEvent);
            }
        }
        if (event.roomVersion().authorization().roomIdFromCreateEvent() && !auth.containsKey(AuthState.CREATE_KEY)) {
            String roomId = event.roomId();
            Pdu create = roomId == null || !roomId.startsWith("!") ? null : lookup.get("$" + roomId.substring(1));
            if (create != null && create.isCreate()) {
                auth.put(AuthState.CREATE_KEY, create);
            }
        }
        return auth;
    }
}

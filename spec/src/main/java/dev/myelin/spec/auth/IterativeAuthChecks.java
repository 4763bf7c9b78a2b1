package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.util.List;
import java.util.Map;

/**
 * Applies sorted state events to a state, keeping those the auth rules allow (rooms/v2 "Iterative
 * auth checks"). A key the rules need but the state lacks comes from the event's own non-rejected
 * auth events.
 */
final class IterativeAuthChecks {
    private final EventAuthorizer authorizer;
    private final EventLookup lookup;

    IterativeAuthChecks(EventAuthorizer authorizer, EventLookup lookup) {
        this.authorizer = authorizer;
        this.lookup = lookup;
    }

    /** Applies {@code events} in order to {@code state}, which it updates. */
    void apply(List<Pdu> events, Map<StateKey, String> state) {
        for (Pdu event : events) {
            Map<StateKey, Pdu> auth = CitedAuthEvents.of(event, lookup);
            for (StateKey key : AuthEventSelector.select(event)) {
                String id = state.get(key);
                Pdu current = id == null ? null : lookup.get(id);
                if (current != null) {
                    auth.put(key, current);
                }
            }
            try {
                authorizer.authorize(event, auth);
                state.put(StateKey.of(event), event.eventId());
            } catch (AuthorizationException rejected) {
                // Not allowed: the event is left out of the resolved state.
            }
        }
    }
}

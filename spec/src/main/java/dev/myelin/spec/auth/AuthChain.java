package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The auth chain: every event reachable through auth_events links (spec: rooms/v2 "Auth chain").
 * Unknown events end the walk on their branch.
 */
public final class AuthChain {
    private AuthChain() {}

    /** The auth chain of one event; the event itself is not included unless its chain loops back. */
    public static Set<String> of(String eventId, EventLookup lookup) {
        return of(Set.of(eventId), lookup);
    }

    /** The union of the auth chains of the given events. */
    public static Set<String> of(Collection<String> eventIds, EventLookup lookup) {
        var chain = new HashSet<String>();
        var pending = new ArrayDeque<String>();
        for (String id : eventIds) {
            push(lookup.get(id), chain, pending);
        }
        while (!pending.isEmpty()) {
            push(lookup.get(pending.pop()), chain, pending);
        }
        return chain;
    }

    private static void push(Pdu event, Set<String> chain, ArrayDeque<String> pending) {
        if (event == null) {
            return;
        }
        for (String authId : event.authEvents()) {
            if (chain.add(authId)) {
                pending.push(authId);
            }
        }
    }
}

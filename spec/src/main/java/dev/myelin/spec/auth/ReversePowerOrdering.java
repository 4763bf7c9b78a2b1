package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The reverse topological power ordering (rooms/v2): Kahn's algorithm over the auth_events DAG,
 * earliest first, choosing among ready events the one whose sender has the greatest power level
 * (by its own auth events), then the smallest origin_server_ts, then the smallest event id.
 */
final class ReversePowerOrdering {
    private ReversePowerOrdering() {}

    private record Candidate(Pdu event, long senderPower) {}

    private static final Comparator<Candidate> ORDER = Comparator
            .comparingLong((Candidate c) -> c.senderPower).reversed()
            .thenComparingLong(c -> c.event.originServerTs())
            .thenComparing(c -> c.event.eventId());

    static List<Pdu> sort(Collection<Pdu> events, EventLookup lookup) {
        var byId = new HashMap<String, Candidate>(events.size() * 2);
        for (Pdu event : events) {
            byId.put(event.eventId(), new Candidate(event, senderPower(event, lookup)));
        }
        var waitingOn = new HashMap<String, Integer>(byId.size() * 2);
        var unlocks = new HashMap<String, List<String>>(byId.size() * 2);
        var ready = new PriorityQueue<>(ORDER);
        for (Candidate candidate : byId.values()) {
            int count = 0;
            for (String authId : candidate.event.authEvents().stream().distinct().toList()) {
                if (byId.containsKey(authId)) {
                    count++;
                    unlocks.computeIfAbsent(authId, id -> new ArrayList<>(2)).add(candidate.event.eventId());
                }
            }
            if (count == 0) {
                ready.add(candidate);
            } else {
                waitingOn.put(candidate.event.eventId(), count);
            }
        }
        var sorted = new ArrayList<Pdu>(byId.size());
        while (!ready.isEmpty()) {
            Candidate next = ready.poll();
            sorted.add(next.event);
            for (String child : unlocks.getOrDefault(next.event.eventId(), List.of())) {
                if (waitingOn.merge(child, -1, Integer::sum) == 0) {
                    waitingOn.remove(child);
                    ready.add(byId.get(child));
                }
            }
        }
        return sorted;
    }

    /** The sender's power level "when looking at their respective auth_events". */
    static long senderPower(Pdu event, EventLookup lookup) {
        Map<StateKey, Pdu> auth = CitedAuthEvents.of(event, lookup);
        return new AuthState(event.roomVersion(), auth).powerOf(event.sender());
    }
}

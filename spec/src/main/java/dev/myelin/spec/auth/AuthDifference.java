package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The auth difference of some state sets: the events in some but not all of their full auth
 * chains, ∪C<sub>i</sub> − ∩C<sub>i</sub> (rooms/v2 "Auth difference").
 *
 * <p>The events every set holds (the unconflicted state) add the same chain U to every
 * C<sub>i</sub>, so with D<sub>i</sub> the chain of set i's other events, the difference is
 * ∪D<sub>i</sub> − ∩D<sub>i</sub> − U. U is walked once; each D<sub>i</sub> walk stops where it
 * enters U, since auth chains are closed under auth_events and nothing below holds a difference.
 */
final class AuthDifference {
    private AuthDifference() {}

    static Set<String> of(List<Map<StateKey, String>> stateSets, Map<StateKey, String> unconflicted,
            EventLookup lookup) {
        Set<String> shared = AuthChain.of(unconflicted.values(), lookup);
        var seenIn = new HashMap<String, Integer>();
        for (Map<StateKey, String> set : stateSets) {
            var own = new HashSet<String>();
            set.forEach((key, id) -> {
                if (!id.equals(unconflicted.get(key))) {
                    own.add(id);
                }
            });
            for (String id : chainOutside(own, shared, lookup)) {
                seenIn.merge(id, 1, Integer::sum);
            }
        }
        var difference = new HashSet<String>();
        int everywhere = stateSets.size();
        seenIn.forEach((id, count) -> {
            if (count < everywhere) {
                difference.add(id);
            }
        });
        return difference;
    }

    /** The auth chain of {@code events} minus {@code shared}, not walking into {@code shared}. */
    private static Set<String> chainOutside(Collection<String> events, Set<String> shared, EventLookup lookup) {
        var chain = new HashSet<String>();
        var pending = new ArrayDeque<>(events);
        while (!pending.isEmpty()) {
            Pdu event = lookup.get(pending.pop());
            if (event == null) {
                continue;
            }
            for (String authId : event.authEvents()) {
                if (!shared.contains(authId) && chain.add(authId)) {
                    pending.push(authId);
                }
            }
        }
        return chain;
    }
}

package dev.myelin.spec.auth;

import dev.myelin.spec.event.StateKey;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The auth difference of some state sets: the events in some but not all of their full auth
 * chains, ∪C<sub>i</sub> − ∩C<sub>i</sub> (rooms/v2 "Auth difference").
 */
final class AuthDifference {
    private AuthDifference() {}

    static Set<String> of(List<Map<StateKey, String>> stateSets, EventLookup lookup) {
        var seenIn = new HashMap<String, Integer>();
        for (Map<StateKey, String> set : stateSets) {
            for (String id : AuthChain.of(new HashSet<>(set.values()), lookup)) {
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
}

package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The conflicted state subgraph (rooms/v12 "Conflicted state subgraph", MSC4297): every event on an
 * auth_events path from one conflicted event to another, endpoints included. Found in one
 * depth-first walk down from the conflicted events, marking each event that reaches a conflicted
 * event; the walk is iterative since auth chains can be thousands deep.
 */
final class ConflictedSubgraph {
    private ConflictedSubgraph() {}

    static Set<String> of(Set<String> conflicted, EventLookup lookup) {
        var reachesConflicted = new HashMap<String, Boolean>();
        var expanded = new HashSet<String>();
        var stack = new ArrayDeque<String>();
        for (String start : conflicted) {
            stack.push(start);
            while (!stack.isEmpty()) {
                String id = stack.peek();
                if (reachesConflicted.containsKey(id)) {
                    stack.pop();
                } else if (expanded.add(id)) {
                    Pdu event = lookup.get(id);
                    if (event != null) {
                        for (String authId : event.authEvents()) {
                            if (!reachesConflicted.containsKey(authId) && !expanded.contains(authId)) {
                                stack.push(authId);
                            }
                        }
                    }
                } else {
                    stack.pop();
                    reachesConflicted.put(id, conflicted.contains(id) || anyReaches(lookup.get(id), reachesConflicted));
                }
            }
        }
        var subgraph = new HashSet<String>();
        reachesConflicted.forEach((id, reaches) -> {
            if (reaches) {
                subgraph.add(id);
            }
        });
        return subgraph;
    }

    private static boolean anyReaches(Pdu event, Map<String, Boolean> reachesConflicted) {
        if (event == null) {
            return false;
        }
        for (String authId : event.authEvents()) {
            if (reachesConflicted.getOrDefault(authId, false)) {
                return true;
            }
        }
        return false;
    }
}

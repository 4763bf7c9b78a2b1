package dev.myelin.spec.auth;

import dev.myelin.spec.event.StateKey;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The unconflicted state map and the conflicted state set of some state sets (rooms/v2
 * "Unconflicted state map and conflicted state set"): a key is unconflicted when every state set
 * has it with the same event.
 */
record ConflictSplit(Map<StateKey, String> unconflicted, Map<StateKey, Set<String>> conflicted) {

    static ConflictSplit of(List<Map<StateKey, String>> stateSets) {
        var unconflicted = new HashMap<StateKey, String>();
        var conflicted = new HashMap<StateKey, Set<String>>();
        if (stateSets.isEmpty()) {
            return new ConflictSplit(unconflicted, conflicted);
        }
        // A key every set agrees on is in the first set; any other key is conflicted.
        Map<StateKey, String> first = stateSets.getFirst();
        first.forEach((key, id) -> {
            if (agreed(stateSets, key, id)) {
                unconflicted.put(key, id);
            } else {
                conflicted.put(key, values(stateSets, key));
            }
        });
        for (Map<StateKey, String> set : stateSets.subList(1, stateSets.size())) {
            for (StateKey key : set.keySet()) {
                if (!first.containsKey(key) && !conflicted.containsKey(key)) {
                    conflicted.put(key, values(stateSets, key));
                }
            }
        }
        return new ConflictSplit(unconflicted, conflicted);
    }

    private static boolean agreed(List<Map<StateKey, String>> stateSets, StateKey key, String id) {
        for (int i = 1; i < stateSets.size(); i++) {
            if (!id.equals(stateSets.get(i).get(key))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> values(List<Map<StateKey, String>> stateSets, StateKey key) {
        var values = new LinkedHashSet<String>(4);
        for (Map<StateKey, String> set : stateSets) {
            String value = set.get(key);
            if (value != null) {
                values.add(value);
            }
        }
        return values;
    }

    /** Every event of the conflicted state set. */
    Set<String> conflictedEvents() {
        var events = new LinkedHashSet<String>();
        conflicted.values().forEach(events::addAll);
        return events;
    }
}

package dev.myelin.spec.auth;

import dev.myelin.spec.event.StateKey;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
        var keys = new LinkedHashSet<StateKey>();
        for (Map<StateKey, String> set : stateSets) {
            keys.addAll(set.keySet());
        }
        for (StateKey key : keys) {
            String first = stateSets.getFirst().get(key);
            boolean agreed = first != null;
            for (int i = 1; agreed && i < stateSets.size(); i++) {
                agreed = Objects.equals(first, stateSets.get(i).get(key));
            }
            if (agreed) {
                unconflicted.put(key, first);
                continue;
            }
            var values = new LinkedHashSet<String>(4);
            for (Map<StateKey, String> set : stateSets) {
                String value = set.get(key);
                if (value != null) {
                    values.add(value);
                }
            }
            conflicted.put(key, values);
        }
        return new ConflictSplit(unconflicted, conflicted);
    }

    /** Every event of the conflicted state set. */
    Set<String> conflictedEvents() {
        var events = new LinkedHashSet<String>();
        conflicted.values().forEach(events::addAll);
        return events;
    }
}

package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * State resolution v2 (rooms/v2 "State resolution", room versions 2-11) and v2.1 (rooms/v12,
 * MSC4297), which differs in two places: the full conflicted set also holds the conflicted state
 * subgraph, and the power events are replayed on an empty state instead of the unconflicted state.
 */
final class StateResolutionV2 {
    private final EventLookup lookup;
    private final IterativeAuthChecks iterativeAuthChecks;
    private final boolean v21;

    StateResolutionV2(EventAuthorizer authorizer, EventLookup lookup, boolean v21) {
        this.lookup = lookup;
        this.iterativeAuthChecks = new IterativeAuthChecks(authorizer, lookup);
        this.v21 = v21;
    }

    Map<StateKey, String> resolve(List<Map<StateKey, String>> stateSets) {
        ConflictSplit split = ConflictSplit.of(stateSets);
        if (split.conflicted().isEmpty()) {
            return split.unconflicted();
        }
        Set<String> conflicted = split.conflictedEvents();
        var fullConflictedSet = new LinkedHashSet<>(conflicted);
        fullConflictedSet.addAll(AuthDifference.of(stateSets, split.unconflicted(), lookup));
        if (v21) {
            fullConflictedSet.addAll(ConflictedSubgraph.of(conflicted, lookup));
        }
        var events = new HashMap<String, Pdu>(fullConflictedSet.size() * 2);
        for (String id : fullConflictedSet) {
            Pdu event = lookup.get(id);
            if (event != null) {
                events.put(id, event);
            }
        }

        // Step 1: the power events and the parts of their auth chains in the full conflicted set.
        List<Pdu> powerEvents = ReversePowerOrdering.sort(powerEventsWithAuthChains(events), lookup);

        // Step 2: v2 replays them on the unconflicted state, v2.1 on an empty state.
        Map<StateKey, String> state = v21 ? new HashMap<>() : new HashMap<>(split.unconflicted());
        iterativeAuthChecks.apply(powerEvents, state);

        // Steps 3 and 4: the rest, in mainline order of the resolved power levels.
        var picked = new HashSet<Pdu>(powerEvents);
        var remaining = new ArrayList<Pdu>();
        for (Pdu event : events.values()) {
            if (!picked.contains(event)) {
                remaining.add(event);
            }
        }
        var mainline = new MainlineOrdering(state.get(AuthState.POWER_LEVELS_KEY), lookup);
        iterativeAuthChecks.apply(mainline.sort(remaining), state);

        // Step 5: the unconflicted state wins.
        state.putAll(split.unconflicted());
        return state;
    }

    /** The set X of step 1: power events, plus every event of their auth chains in the full conflicted set. */
    private List<Pdu> powerEventsWithAuthChains(Map<String, Pdu> fullConflictedSet) {
        var selected = new ArrayList<Pdu>();
        var visited = new HashSet<String>();
        var pending = new ArrayDeque<String>();
        for (Pdu event : fullConflictedSet.values()) {
            if (isPowerEvent(event) && visited.add(event.eventId())) {
                selected.add(event);
                pending.push(event.eventId());
            }
        }
        while (!pending.isEmpty()) {
            Pdu event = fullConflictedSet.containsKey(pending.peek())
                    ? fullConflictedSet.get(pending.pop()) : lookup.get(pending.pop());
            if (event == null) {
                continue;
            }
            for (String authId : event.authEvents()) {
                if (visited.add(authId)) {
                    pending.push(authId);
                    Pdu inSet = fullConflictedSet.get(authId);
                    if (inSet != null) {
                        selected.add(inSet);
                    }
                }
            }
        }
        return selected;
    }

    /**
     * Power events (rooms/v2 "Power events"): power levels, join rules, and kicks and bans, i.e.
     * leave or ban memberships whose sender is not the target.
     */
    static boolean isPowerEvent(Pdu event) {
        if (!event.isState()) {
            return false;
        }
        String type = event.type();
        if (AuthState.POWER_LEVELS.equals(type) || AuthState.JOIN_RULES.equals(type)) {
            return event.stateKey().isEmpty();
        }
        if (AuthState.MEMBER.equals(type)) {
            String membership = event.content().path("membership").asText("");
            return (membership.equals("leave") || membership.equals("ban")) && !event.stateKey().equals(event.sender());
        }
        return false;
    }
}

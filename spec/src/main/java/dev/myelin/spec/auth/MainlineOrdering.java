package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The mainline ordering based on a power levels event P (rooms/v2 "Mainline ordering"): events whose
 * power level chain meets P's mainline further back sort first, then by origin_server_ts, then id.
 */
final class MainlineOrdering {
    private static final int NOT_ON_MAINLINE = Integer.MAX_VALUE;

    private final EventLookup lookup;
    private final Map<String, Integer> mainline = new HashMap<>();
    private final Map<String, Integer> positions = new HashMap<>();

    /** @param powerLevelsId P, or null when the state has no power levels: all positions are then ∞ */
    MainlineOrdering(String powerLevelsId, EventLookup lookup) {
        this.lookup = lookup;
        for (String id = powerLevelsId; id != null && !mainline.containsKey(id); ) {
            mainline.put(id, mainline.size());
            Pdu event = lookup.get(id);
            id = event == null ? null : powerLevelsAuthEvent(event);
        }
    }

    List<Pdu> sort(List<Pdu> events) {
        record Positioned(Pdu event, int position) {}
        var positioned = new ArrayList<Positioned>(events.size());
        for (Pdu event : events) {
            positioned.add(new Positioned(event, position(event)));
        }
        positioned.sort(Comparator.comparingInt((Positioned p) -> p.position).reversed()
                .thenComparingLong(p -> p.event.originServerTs())
                .thenComparing(p -> p.event.eventId()));
        var sorted = new ArrayList<Pdu>(events.size());
        positioned.forEach(p -> sorted.add(p.event));
        return sorted;
    }

    /** The index in P's mainline of the first power levels event met walking e's chain (e excluded). */
    int position(Pdu event) {
        var path = new ArrayList<String>();
        int position = NOT_ON_MAINLINE;
        for (Pdu current = event; current != null; ) {
            Integer known = positions.get(current.eventId());
            if (known != null) {
                position = known;
                break;
            }
            path.add(current.eventId());
            String next = powerLevelsAuthEvent(current);
            if (next == null) {
                break;
            }
            Integer onMainline = mainline.get(next);
            if (onMainline != null) {
                position = onMainline;
                break;
            }
            current = lookup.get(next);
        }
        for (String id : path) {
            positions.put(id, position);
        }
        return position;
    }

    private String powerLevelsAuthEvent(Pdu event) {
        for (String authId : event.authEvents()) {
            Pdu authEvent = lookup.get(authId);
            if (authEvent != null && AuthState.POWER_LEVELS.equals(authEvent.type()) && "".equals(authEvent.stateKey())) {
                return authId;
            }
        }
        return null;
    }
}

package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * State resolution of room version 1 (rooms/v1 "State resolution"): conflicts are settled type by
 * type, power levels, then join rules, then memberships, each by depth and sha1(event_id) and
 * checked against the state resolved so far; other conflicts take the deepest event that passes.
 */
final class StateResolutionV1 {
    private static final List<String> AUTH_TYPES =
            List.of(AuthState.POWER_LEVELS, AuthState.JOIN_RULES, AuthState.MEMBER);

    private final RoomVersion version;
    private final EventAuthorizer authorizer;
    private final EventLookup lookup;

    StateResolutionV1(RoomVersion version, EventAuthorizer authorizer, EventLookup lookup) {
        this.version = version;
        this.authorizer = authorizer;
        this.lookup = lookup;
    }

    Map<StateKey, String> resolve(List<Map<StateKey, String>> stateSets) {
        // A conflict is a key with different event ids; a key absent from some states is no conflict.
        var values = new HashMap<StateKey, Set<String>>();
        for (Map<StateKey, String> set : stateSets) {
            set.forEach((key, id) -> values.computeIfAbsent(key, k -> new LinkedHashSet<>(2)).add(id));
        }
        var resolved = new HashMap<StateKey, String>();
        var conflicts = new HashMap<StateKey, List<Pdu>>();
        values.forEach((key, ids) -> {
            if (ids.size() == 1) {
                resolved.put(key, ids.iterator().next());
            } else {
                conflicts.put(key, known(ids));
            }
        });
        var keys = new ArrayList<>(conflicts.keySet());
        keys.sort(Comparator.comparing(StateKey::type).thenComparing(StateKey::stateKey));
        for (String type : AUTH_TYPES) {
            for (StateKey key : keys) {
                if (key.type().equals(type)) {
                    resolveAuthConflict(key, conflicts.get(key), resolved);
                }
            }
        }
        for (StateKey key : keys) {
            if (!AUTH_TYPES.contains(key.type())) {
                resolveOtherConflict(key, conflicts.get(key), resolved);
            }
        }
        return resolved;
    }

    /** Ascending depth then descending sha1: the first wins outright, later ones while they pass auth. */
    private void resolveAuthConflict(StateKey key, List<Pdu> events, Map<StateKey, String> resolved) {
        events.sort(Comparator.comparingLong(Pdu::depth)
                .thenComparing((a, b) -> Arrays.compareUnsigned(sha1(b.eventId()), sha1(a.eventId()))));
        if (events.isEmpty()) {
            return;
        }
        resolved.put(key, events.getFirst().eventId());
        for (Pdu event : events.subList(1, events.size())) {
            if (!allowed(event, resolved)) {
                return;
            }
            resolved.put(key, event.eventId());
        }
    }

    /** The event with the highest depth and lowest sha1(event_id) that passes auth; none if none does. */
    private void resolveOtherConflict(StateKey key, List<Pdu> events, Map<StateKey, String> resolved) {
        events.sort(Comparator.comparingLong(Pdu::depth).reversed()
                .thenComparing((a, b) -> Arrays.compareUnsigned(sha1(a.eventId()), sha1(b.eventId()))));
        for (Pdu event : events) {
            if (allowed(event, resolved)) {
                resolved.put(key, event.eventId());
                return;
            }
        }
    }

    private boolean allowed(Pdu event, Map<StateKey, String> state) {
        var auth = new HashMap<StateKey, Pdu>(8);
        for (StateKey key : AuthEventSelector.select(event)) {
            String id = state.get(key);
            Pdu current = id == null ? null : lookup.get(id);
            if (current != null) {
                auth.put(key, current);
            }
        }
        try {
            authorizer.authorize(event, new AuthState(version, auth));
            return true;
        } catch (AuthorizationException rejected) {
            return false;
        }
    }

    private List<Pdu> known(Set<String> ids) {
        var events = new ArrayList<Pdu>(ids.size());
        for (String id : ids) {
            Pdu event = lookup.get(id);
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    private static byte[] sha1(String eventId) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(eventId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java platform has SHA-1", impossible);
        }
    }
}

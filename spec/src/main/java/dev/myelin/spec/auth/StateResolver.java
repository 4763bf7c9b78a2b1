package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Resolves the states after several events into one state, with the algorithm of the room
 * version: v1 (rooms/v1 "State resolution"), v2 (rooms/v2) or v2.1 (rooms/v12, MSC4297).
 */
public final class StateResolver {
    private final EventAuthorizer authorizer;

    public StateResolver(EventAuthorizer authorizer) {
        this.authorizer = Objects.requireNonNull(authorizer);
    }

    /**
     * @param stateSets each a map from (type, state_key) to event id
     * @param lookup    fetches the state events and their auth chains
     * @return the resolved state, a new mutable map
     */
    public Map<StateKey, String> resolve(
            RoomVersion version, List<Map<StateKey, String>> stateSets, EventLookup lookup) {
        return switch (version.stateResolution()) {
            case V1 -> new StateResolutionV1(version, authorizer, lookup).resolve(stateSets);
            case V2 -> new StateResolutionV2(authorizer, lookup, false).resolve(stateSets);
            case V2_1 -> new StateResolutionV2(authorizer, lookup, true).resolve(stateSets);
        };
    }
}

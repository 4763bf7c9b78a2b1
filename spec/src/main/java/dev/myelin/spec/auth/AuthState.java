package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.Map;
import java.util.Set;

/**
 * The room state an event is authorized against, read the way the auth rules read it: memberships,
 * the join rule, power levels and the room creators.
 */
public final class AuthState {
    static final String CREATE = "m.room.create";
    static final String MEMBER = "m.room.member";
    static final String POWER_LEVELS = "m.room.power_levels";
    static final String JOIN_RULES = "m.room.join_rules";
    static final String THIRD_PARTY_INVITE = "m.room.third_party_invite";

    static final StateKey CREATE_KEY = new StateKey(CREATE, "");
    static final StateKey POWER_LEVELS_KEY = new StateKey(POWER_LEVELS, "");
    static final StateKey JOIN_RULES_KEY = new StateKey(JOIN_RULES, "");

    /** No power level is higher: v12 creators (MSC4289); canonical JSON keeps real levels below 2^53. */
    public static final long INFINITE_POWER = Long.MAX_VALUE;

    private final RoomVersion version;
    private final Map<StateKey, Pdu> state;
    private PowerLevels powerLevels;
    private Set<String> creators;

    public AuthState(RoomVersion version, Map<StateKey, Pdu> state) {
        this.version = version;
        this.state = state;
    }

    public Pdu get(StateKey key) { return state.get(key); }

    public Pdu create() { return state.get(CREATE_KEY); }

    public Pdu member(String userId) { return state.get(new StateKey(MEMBER, userId)); }

    /** A user's membership; "leave" when the user has no m.room.member event. */
    public String membership(String userId) {
        Pdu member = member(userId);
        if (member == null) {
            return "leave";
        }
        JsonNode membership = member.content().get("membership");
        return membership != null && membership.isTextual() ? membership.asText() : "leave";
    }

    /**
     * The join rule; "invite" when the room has no m.room.join_rules event (the spec leaves this open;
     * Synapse and ruma treat such rooms as invite-only).
     */
    public String joinRule() {
        Pdu joinRules = state.get(JOIN_RULES_KEY);
        if (joinRules == null) {
            return "invite";
        }
        JsonNode rule = joinRules.content().get("join_rule");
        return rule != null && rule.isTextual() ? rule.asText() : "invite";
    }

    public boolean hasPowerLevels() { return state.containsKey(POWER_LEVELS_KEY); }

    public PowerLevels powerLevels() {
        if (powerLevels == null) {
            Pdu event = state.get(POWER_LEVELS_KEY);
            powerLevels = event == null ? PowerLevels.NONE : PowerLevels.parse(event.content(), version);
        }
        return powerLevels;
    }

    /** The room creators (v1-10: content.creator; v11: sender; v12: sender and additional_creators). */
    public Set<String> creators() {
        if (creators == null) {
            creators = Creators.of(create(), version);
        }
        return creators;
    }

    /**
     * A user's power level: infinite for v12 creators; from m.room.power_levels if present; else 100
     * for the creator and 0 for everyone else (m.room.power_levels schema).
     */
    public long powerOf(String userId) {
        if (version.authorization().privilegedCreators() && creators().contains(userId)) {
            return INFINITE_POWER;
        }
        if (hasPowerLevels()) {
            return powerLevels().userLevel(userId);
        }
        return creators().contains(userId) ? 100 : 0;
    }
}

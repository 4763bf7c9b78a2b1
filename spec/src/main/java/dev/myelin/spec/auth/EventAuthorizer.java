package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The authorization rules of room versions 1-12 (spec: rooms/vN "Authorization rules"). Rule names
 * in comments use the v12 numbering unless a version is named.
 *
 * <p>The rules split in two: those about the event's own auth_events list (v12 rules 2-3), checked
 * once by {@link #checkAuthEvents}, and those read against a room state, checked by
 * {@link #authorize} for each state the receipt checks name (auth events, state before the event,
 * current state) and during state resolution.
 */
public final class EventAuthorizer {
    private final ThirdPartyInviteSignatureChecker thirdPartyInviteSignatures;

    public EventAuthorizer(ThirdPartyInviteSignatureChecker thirdPartyInviteSignatures) {
        this.thirdPartyInviteSignatures = Objects.requireNonNull(thirdPartyInviteSignatures);
    }

    /** Receipt check 4: the event passes the rules against its own auth events. */
    public void authorizeByAuthEvents(Pdu event, EventLookup lookup) throws AuthorizationException {
        authorize(event, checkAuthEvents(event, lookup));
    }

    /**
     * The rules about the event's auth_events (v12 rules 2 and 3; v1-11 rule 2). Returns the auth
     * events as a state map, with the v12 create event (implied by the room id) added.
     */
    public Map<StateKey, Pdu> checkAuthEvents(Pdu event, EventLookup lookup) throws AuthorizationException {
        var auth = new HashMap<StateKey, Pdu>(8);
        if (event.isCreate()) {
            return auth;
        }
        RoomVersion version = event.roomVersion();
        String roomId = event.roomId();
        if (version.authorization().roomIdFromCreateEvent()) {
            String createId = roomId == null || !roomId.startsWith("!") ? null : "$" + roomId.substring(1);
            Pdu create = createId == null ? null : lookup.get(createId);
            if (create == null || !create.isCreate() || lookup.isRejected(createId)) {
                throw new AuthorizationException(AuthRule.ROOM_ID_NOT_CREATE_EVENT, roomId);
            }
            auth.put(AuthState.CREATE_KEY, create);
        }
        Set<StateKey> selected = AuthEventSelector.select(event);
        var cited = new HashMap<StateKey, Pdu>(8);
        for (String id : event.authEvents()) {
            Pdu authEvent = lookup.get(id);
            if (authEvent == null) {
                throw new AuthorizationException(AuthRule.AUTH_EVENT_MISSING, id);
            }
            if (!authEvent.isState()) {
                throw new AuthorizationException(AuthRule.AUTH_EVENTS_NOT_SELECTED, id);
            }
            StateKey key = StateKey.of(authEvent);
            if (cited.put(key, authEvent) != null) {
                throw new AuthorizationException(AuthRule.AUTH_EVENTS_DUPLICATE, key.toString());
            }
            if (!selected.contains(key)) {
                throw new AuthorizationException(AuthRule.AUTH_EVENTS_NOT_SELECTED, key.toString());
            }
            if (lookup.isRejected(id)) {
                throw new AuthorizationException(AuthRule.AUTH_EVENT_REJECTED, id);
            }
        }
        if (!version.authorization().roomIdFromCreateEvent() && !cited.containsKey(AuthState.CREATE_KEY)) {
            throw new AuthorizationException(AuthRule.AUTH_EVENTS_NO_CREATE, null);
        }
        for (Pdu authEvent : cited.values()) {
            if (!Objects.equals(authEvent.roomId(), roomId)) {
                throw new AuthorizationException(AuthRule.AUTH_EVENT_OTHER_ROOM, authEvent.eventId());
            }
        }
        auth.putAll(cited);
        return auth;
    }

    /** The rules read against a room state: the auth events, or the state before the event. */
    public void authorize(Pdu event, Map<StateKey, Pdu> state) throws AuthorizationException {
        authorize(event, new AuthState(event.roomVersion(), state));
    }

    public void authorize(Pdu event, AuthState state) throws AuthorizationException {
        RoomVersion.AuthorizationRules rules = event.roomVersion().authorization();
        String type = event.type();
        if (event.isCreate()) {
            checkCreate(event);
            return;
        }
        Pdu create = state.create();
        if (create == null) {
            throw new AuthorizationException(AuthRule.NO_CREATE_EVENT, null);
        }
        String sender = event.sender();
        if (create.content().path("m.federate").isBoolean() && !create.content().get("m.federate").asBoolean()
                && !Objects.equals(UserIds.domain(sender), UserIds.domain(create.sender()))) {
            throw new AuthorizationException(AuthRule.NOT_FEDERATED, sender);
        }
        if (rules.specialCaseAliases() && "m.room.aliases".equals(type)) {
            checkAliases(event);
            return;
        }
        if (AuthState.MEMBER.equals(type)) {
            new MembershipRules(event, state, thirdPartyInviteSignatures).check();
            return;
        }
        if (!"join".equals(state.membership(sender))) {
            throw new AuthorizationException(AuthRule.SENDER_NOT_JOINED, sender);
        }
        long senderPower = state.powerOf(sender);
        if (AuthState.THIRD_PARTY_INVITE.equals(type)) {
            if (senderPower < state.powerLevels().inviteLevel()) {
                throw new AuthorizationException(AuthRule.THIRD_PARTY_INVITE_LEVEL, sender);
            }
            return;
        }
        if (state.powerLevels().requiredLevel(type, event.isState()) > senderPower) {
            throw new AuthorizationException(AuthRule.EVENT_POWER_LEVEL, type);
        }
        String stateKey = event.stateKey();
        if (stateKey != null && stateKey.startsWith("@") && !stateKey.equals(sender)) {
            throw new AuthorizationException(AuthRule.STATE_KEY_IS_OTHER_USER, stateKey);
        }
        if (AuthState.POWER_LEVELS.equals(type)) {
            PowerLevelsRules.check(event, state, senderPower);
            return;
        }
        if (rules.redactionAuthRule() && "m.room.redaction".equals(type)) {
            checkRedaction(event, state, senderPower);
        }
    }

    /** Rule 1: m.room.create. */
    private static void checkCreate(Pdu event) throws AuthorizationException {
        RoomVersion.AuthorizationRules rules = event.roomVersion().authorization();
        if (!event.prevEvents().isEmpty()) {
            throw new AuthorizationException(AuthRule.CREATE_HAS_PREV_EVENTS, null);
        }
        if (rules.roomIdFromCreateEvent()) {
            if (event.json().has("room_id")) {
                throw new AuthorizationException(AuthRule.CREATE_HAS_ROOM_ID, null);
            }
        } else if (!Objects.equals(UserIds.domain(event.roomId()), UserIds.domain(event.sender()))) {
            throw new AuthorizationException(AuthRule.CREATE_ROOM_ID_DOMAIN, event.roomId());
        }
        ObjectNode content = event.content();
        JsonNode roomVersion = content.get("room_version");
        if (roomVersion != null && (!roomVersion.isTextual() || RoomVersion.byId(roomVersion.asText()).isEmpty())) {
            throw new AuthorizationException(AuthRule.CREATE_UNKNOWN_ROOM_VERSION, roomVersion.toString());
        }
        if (!rules.creatorFromSender() && !content.has("creator")) {
            throw new AuthorizationException(AuthRule.CREATE_NO_CREATOR, null);
        }
        if (rules.privilegedCreators() && content.has("additional_creators")) {
            JsonNode additional = content.get("additional_creators");
            boolean valid = additional.isArray();
            for (JsonNode user : additional) {
                valid &= user.isTextual() && UserIds.isValid(user.asText());
            }
            if (!valid) {
                throw new AuthorizationException(AuthRule.CREATE_INVALID_ADDITIONAL_CREATORS, additional.toString());
            }
        }
    }

    /** v1-5 rule 4: m.room.aliases is authorized by the sender's server alone. */
    private static void checkAliases(Pdu event) throws AuthorizationException {
        if (event.stateKey() == null) {
            throw new AuthorizationException(AuthRule.ALIASES_NO_STATE_KEY, null);
        }
        if (!event.stateKey().equals(UserIds.domain(event.sender()))) {
            throw new AuthorizationException(AuthRule.ALIASES_DOMAIN_MISMATCH, event.stateKey());
        }
    }

    /** v1-2 rule 11: m.room.redaction. */
    private static void checkRedaction(Pdu event, AuthState state, long senderPower)
            throws AuthorizationException {
        if (senderPower >= state.powerLevels().redactLevel()) {
            return;
        }
        String redacts = event.redacts();
        if (redacts == null || !Objects.equals(UserIds.domain(redacts), UserIds.domain(event.eventId()))) {
            throw new AuthorizationException(AuthRule.REDACT_LEVEL, redacts);
        }
    }
}

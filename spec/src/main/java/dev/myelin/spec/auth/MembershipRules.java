package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.List;

/** Rule 5 (v1-5: rule 5, v6-11: rule 4): m.room.member events. */
final class MembershipRules {
    private final Pdu event;
    private final AuthState state;
    private final ThirdPartyInviteSignatureChecker signatures;
    private final RoomVersion.AuthorizationRules rules;
    private final String sender;
    private final String target;

    MembershipRules(Pdu event, AuthState state, ThirdPartyInviteSignatureChecker signatures) {
        this.event = event;
        this.state = state;
        this.signatures = signatures;
        this.rules = event.roomVersion().authorization();
        this.sender = event.sender();
        this.target = event.stateKey();
    }

    void check() throws AuthorizationException {
        JsonNode membership = event.content().get("membership");
        if (target == null || membership == null || !membership.isTextual()) {
            throw reject(AuthRule.MEMBER_NO_STATE_KEY_OR_MEMBERSHIP, null);
        }
        JsonNode authoriser = event.content().get("join_authorised_via_users_server");
        if (rules.restrictedJoins() && authoriser != null) {
            checkAuthoriserSigned(authoriser);
        }
        switch (membership.asText()) {
            case "join" -> join(authoriser);
            case "invite" -> invite();
            case "leave" -> leave();
            case "ban" -> ban();
            case "knock" -> {
                if (!rules.knocking()) {
                    throw reject(AuthRule.UNKNOWN_MEMBERSHIP, "knock");
                }
                knock();
            }
            default -> throw reject(AuthRule.UNKNOWN_MEMBERSHIP, membership.asText());
        }
    }

    /**
     * Rule 5.2.1: the authorising user's server must have signed the event. Signatures themselves
     * are verified on receipt (server-server-api receipt check 2); here their presence is required.
     */
    private void checkAuthoriserSigned(JsonNode authoriser) throws AuthorizationException {
        String server = authoriser.isTextual() ? UserIds.domain(authoriser.asText()) : null;
        if (server == null || !event.json().path("signatures").has(server)) {
            throw reject(AuthRule.JOIN_AUTHORISER_NOT_SIGNED, authoriser.toString());
        }
    }

    private void join(JsonNode authoriser) throws AuthorizationException {
        Pdu create = state.create();
        List<String> prev = event.prevEvents();
        if (prev.size() == 1 && prev.getFirst().equals(create.eventId()) && state.creators().contains(target)) {
            return;
        }
        if (!sender.equals(target)) {
            throw reject(AuthRule.JOIN_SENDER_NOT_TARGET, target);
        }
        String current = state.membership(sender);
        if (current.equals("ban")) {
            throw reject(AuthRule.JOIN_BANNED, sender);
        }
        boolean invitedOrJoined = current.equals("invite") || current.equals("join");
        String joinRule = state.joinRule();
        if (joinRule.equals("invite") || (rules.knocking() && joinRule.equals("knock"))) {
            if (!invitedOrJoined) {
                throw reject(AuthRule.JOIN_NOT_INVITED, joinRule);
            }
            return;
        }
        if ((rules.restrictedJoins() && joinRule.equals("restricted"))
                || (rules.knockRestricted() && joinRule.equals("knock_restricted"))) {
            if (invitedOrJoined) {
                return;
            }
            String via = authoriser != null && authoriser.isTextual() ? authoriser.asText() : null;
            if (via == null || !"join".equals(state.membership(via))
                    || state.powerOf(via) < state.powerLevels().inviteLevel()) {
                throw reject(AuthRule.JOIN_AUTHORISER_INVALID, via);
            }
            return;
        }
        if (!joinRule.equals("public")) {
            throw reject(AuthRule.JOIN_RULE_FORBIDS, joinRule);
        }
    }

    private void invite() throws AuthorizationException {
        JsonNode thirdPartyInvite = event.content().get("third_party_invite");
        if (thirdPartyInvite != null) {
            thirdPartyInvite(thirdPartyInvite);
            return;
        }
        if (!"join".equals(state.membership(sender))) {
            throw reject(AuthRule.INVITE_SENDER_NOT_JOINED, sender);
        }
        String current = state.membership(target);
        if (current.equals("join") || current.equals("ban")) {
            throw reject(AuthRule.INVITE_TARGET_JOINED_OR_BANNED, current);
        }
        if (state.powerOf(sender) < state.powerLevels().inviteLevel()) {
            throw reject(AuthRule.INVITE_LEVEL, sender);
        }
    }

    private void thirdPartyInvite(JsonNode thirdPartyInvite) throws AuthorizationException {
        if ("ban".equals(state.membership(target))) {
            throw reject(AuthRule.THIRD_PARTY_INVITE_TARGET_BANNED, target);
        }
        if (!(thirdPartyInvite.get("signed") instanceof ObjectNode signed)) {
            throw reject(AuthRule.THIRD_PARTY_INVITE_NO_SIGNED, null);
        }
        JsonNode mxid = signed.get("mxid");
        JsonNode token = signed.get("token");
        if (mxid == null || !mxid.isTextual() || token == null || !token.isTextual()) {
            throw reject(AuthRule.THIRD_PARTY_INVITE_SIGNED_INCOMPLETE, null);
        }
        if (!mxid.asText().equals(target)) {
            throw reject(AuthRule.THIRD_PARTY_INVITE_MXID_MISMATCH, mxid.asText());
        }
        Pdu tokenEvent = state.get(new StateKey(AuthState.THIRD_PARTY_INVITE, token.asText()));
        if (tokenEvent == null) {
            throw reject(AuthRule.THIRD_PARTY_INVITE_NO_TOKEN_EVENT, token.asText());
        }
        if (!sender.equals(tokenEvent.sender())) {
            throw reject(AuthRule.THIRD_PARTY_INVITE_SENDER_MISMATCH, sender);
        }
        if (!signatures.anySignatureMatches(signed, publicKeys(tokenEvent))) {
            throw reject(AuthRule.THIRD_PARTY_INVITE_BAD_SIGNATURE, null);
        }
    }

    private void leave() throws AuthorizationException {
        if (sender.equals(target)) {
            String current = state.membership(sender);
            if (!(current.equals("invite") || current.equals("join") || (rules.knocking() && current.equals("knock")))) {
                throw reject(AuthRule.LEAVE_NOT_MEMBER, current);
            }
            return;
        }
        if (!"join".equals(state.membership(sender))) {
            throw reject(AuthRule.LEAVE_SENDER_NOT_JOINED, sender);
        }
        long senderPower = state.powerOf(sender);
        if ("ban".equals(state.membership(target)) && senderPower < state.powerLevels().banLevel()) {
            throw reject(AuthRule.UNBAN_LEVEL, target);
        }
        if (senderPower < state.powerLevels().kickLevel() || state.powerOf(target) >= senderPower) {
            throw reject(AuthRule.KICK_LEVEL, target);
        }
    }

    private void ban() throws AuthorizationException {
        if (!"join".equals(state.membership(sender))) {
            throw reject(AuthRule.BAN_SENDER_NOT_JOINED, sender);
        }
        long senderPower = state.powerOf(sender);
        if (senderPower < state.powerLevels().banLevel() || state.powerOf(target) >= senderPower) {
            throw reject(AuthRule.BAN_LEVEL, target);
        }
    }

    private void knock() throws AuthorizationException {
        String joinRule = state.joinRule();
        if (!(joinRule.equals("knock") || (rules.knockRestricted() && joinRule.equals("knock_restricted")))) {
            throw reject(AuthRule.KNOCK_JOIN_RULE, joinRule);
        }
        if (!sender.equals(target)) {
            throw reject(AuthRule.KNOCK_SENDER_NOT_TARGET, target);
        }
        String current = state.membership(sender);
        if (current.equals("ban") || current.equals("invite") || current.equals("join")) {
            throw reject(AuthRule.KNOCK_MEMBERSHIP, current);
        }
    }

    /** The public keys of an m.room.third_party_invite: public_key and every public_keys entry. */
    private static List<String> publicKeys(Pdu thirdPartyInvite) {
        var keys = new ArrayList<String>();
        JsonNode single = thirdPartyInvite.content().get("public_key");
        if (single != null && single.isTextual()) {
            keys.add(single.asText());
        }
        for (JsonNode entry : thirdPartyInvite.content().path("public_keys")) {
            JsonNode key = entry.get("public_key");
            if (key != null && key.isTextual()) {
                keys.add(key.asText());
            }
        }
        return keys;
    }

    private static AuthorizationException reject(AuthRule rule, String detail) {
        return new AuthorizationException(rule, detail);
    }
}

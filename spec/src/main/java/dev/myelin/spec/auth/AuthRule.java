package dev.myelin.spec.auth;

/**
 * The authorization rule an event failed (spec: rooms/v1..v12 "Authorization rules";
 * numbers differ between versions, so rules are named rather than numbered).
 */
public enum AuthRule {
    CREATE_HAS_PREV_EVENTS("m.room.create has prev_events"),
    CREATE_ROOM_ID_DOMAIN("m.room.create room_id domain differs from the sender's"),
    CREATE_HAS_ROOM_ID("m.room.create has a room_id (v12)"),
    CREATE_UNKNOWN_ROOM_VERSION("m.room.create content.room_version is not a recognised version"),
    CREATE_NO_CREATOR("m.room.create content has no creator"),
    CREATE_INVALID_ADDITIONAL_CREATORS("m.room.create additional_creators is not an array of user ids (v12)"),
    ROOM_ID_NOT_CREATE_EVENT("room_id is not the id of an accepted m.room.create event (v12)"),
    AUTH_EVENT_MISSING("an auth event is unknown"),
    AUTH_EVENTS_DUPLICATE("auth_events has duplicate entries for a type and state_key"),
    AUTH_EVENTS_NOT_SELECTED("auth_events has an entry the auth events selection does not pick"),
    AUTH_EVENT_REJECTED("auth_events has a rejected event"),
    AUTH_EVENTS_NO_CREATE("auth_events has no m.room.create event"),
    AUTH_EVENT_OTHER_ROOM("an auth event belongs to another room"),
    NO_CREATE_EVENT("the room state has no m.room.create event"),
    NOT_FEDERATED("the room is not federated and the sender is on another server"),
    ALIASES_NO_STATE_KEY("m.room.aliases has no state_key"),
    ALIASES_DOMAIN_MISMATCH("m.room.aliases state_key is not the sender's domain"),
    MEMBER_NO_STATE_KEY_OR_MEMBERSHIP("m.room.member has no state_key or no membership"),
    JOIN_AUTHORISER_NOT_SIGNED("join_authorised_via_users_server's server did not sign the event"),
    JOIN_SENDER_NOT_TARGET("join sender does not match state_key"),
    JOIN_BANNED("joining user is banned"),
    JOIN_NOT_INVITED("join rule needs an invite or existing membership"),
    JOIN_AUTHORISER_INVALID("join_authorised_via_users_server cannot invite or is not joined"),
    JOIN_RULE_FORBIDS("the join rule does not allow joining"),
    THIRD_PARTY_INVITE_TARGET_BANNED("third-party invite target is banned"),
    THIRD_PARTY_INVITE_NO_SIGNED("third_party_invite has no signed property"),
    THIRD_PARTY_INVITE_SIGNED_INCOMPLETE("third_party_invite.signed lacks mxid or token"),
    THIRD_PARTY_INVITE_MXID_MISMATCH("third_party_invite.signed.mxid does not match state_key"),
    THIRD_PARTY_INVITE_NO_TOKEN_EVENT("no m.room.third_party_invite for the token"),
    THIRD_PARTY_INVITE_SENDER_MISMATCH("sender differs from the m.room.third_party_invite sender"),
    THIRD_PARTY_INVITE_BAD_SIGNATURE("no signature in signed matches the third-party invite's public keys"),
    INVITE_SENDER_NOT_JOINED("inviter is not joined"),
    INVITE_TARGET_JOINED_OR_BANNED("invite target is joined or banned"),
    INVITE_LEVEL("inviter's power level is below the invite level"),
    LEAVE_NOT_MEMBER("leaving user is not invited, joined or knocking"),
    LEAVE_SENDER_NOT_JOINED("kicker is not joined"),
    UNBAN_LEVEL("unbanning needs the ban level"),
    KICK_LEVEL("kicker needs the kick level and more power than the target"),
    BAN_SENDER_NOT_JOINED("banner is not joined"),
    BAN_LEVEL("banner needs the ban level and more power than the target"),
    KNOCK_JOIN_RULE("the join rule does not allow knocking"),
    KNOCK_SENDER_NOT_TARGET("knock sender does not match state_key"),
    KNOCK_MEMBERSHIP("knocking user is banned, invited or joined"),
    UNKNOWN_MEMBERSHIP("unknown membership"),
    SENDER_NOT_JOINED("sender is not joined"),
    THIRD_PARTY_INVITE_LEVEL("sender's power level is below the invite level"),
    EVENT_POWER_LEVEL("sender's power level is below the event type's required level"),
    STATE_KEY_IS_OTHER_USER("state_key starts with @ and is not the sender"),
    POWER_LEVELS_INVALID("m.room.power_levels content has an invalid value"),
    POWER_LEVELS_LISTS_CREATOR("m.room.power_levels users lists a room creator (v12)"),
    POWER_LEVELS_CHANGE_ABOVE_SENDER("m.room.power_levels changes a level above the sender's"),
    POWER_LEVELS_CHANGE_PEER("m.room.power_levels changes a user whose level is not below the sender's"),
    REDACT_LEVEL("sender needs the redact level or the redacted event's domain (v1-2)");

    private final String description;

    AuthRule(String description) { this.description = description; }

    public String description() { return description; }
}

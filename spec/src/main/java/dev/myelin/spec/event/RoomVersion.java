package dev.myelin.spec.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The rules of one room version, as data. Every difference between room versions lives here
 * (spec: content/rooms/v1.md .. v12.md); code asks a rule, never compares version strings.
 *
 * @param id                 the version identifier, "1" .. "12"
 * @param stable             whether the spec marks it stable
 * @param eventFormat        how event ids are made and how prev/auth event references look
 * @param stateResolution    which state resolution algorithm resolves forks
 * @param authorization      authorization rule switches
 * @param redaction          which keys survive redaction
 * @param strictCanonicalJson whether events must be strict canonical JSON (v6+: integers only in range, no floats)
 * @param enforceKeyValidity  whether signing keys must be valid at origin_server_ts (v5+)
 */
public record RoomVersion(
        String id,
        boolean stable,
        EventFormat eventFormat,
        StateResolution stateResolution,
        AuthorizationRules authorization,
        RedactionRules redaction,
        boolean strictCanonicalJson,
        boolean enforceKeyValidity) {

    /** How event ids are formed (spec: rooms/v1 "Event IDs", v3, v4). */
    public enum EventFormat {
        /** v1, v2: "$opaque:server" chosen by the origin; references are [event_id, {hashes}] pairs. */
        V1_SERVER_GENERATED,
        /** v3: "$" + unpadded standard base64 of the reference hash; references are plain ids. */
        V3_REFERENCE_HASH,
        /** v4+: "$" + unpadded URL-safe base64 of the reference hash. */
        V4_URL_SAFE_REFERENCE_HASH
    }

    /** The state resolution algorithm (spec: rooms/v1 state res, v2 state res, MSC4297 v2.1). */
    public enum StateResolution { V1, V2, V2_1 }

    /**
     * Switches in the authorization rules.
     *
     * @param specialCaseAliases       v1-5: m.room.aliases is authorized by sender server only
     * @param redactionAuthRule        v1-2: m.room.redaction needs the redact level or the redacted event's
     *                                 id domain (rooms/v1 auth rule 11); from v3 redactions are checked at
     *                                 display time instead
     * @param notificationsPowerLevels v6+: m.room.power_levels "notifications" keys are checked like others
     * @param knocking                 v7+: the "knock" join rule and membership exist
     * @param restrictedJoins          v8+: the "restricted" join rule and join_authorised_via_users_server
     * @param knockRestricted          v10+: the "knock_restricted" join rule
     * @param integerPowerLevels       v10+: power level values must be integers, not strings
     * @param creatorFromSender        v11+: the create event has no "creator"; the sender is the creator
     * @param privilegedCreators       v12+ (MSC4289): creators (sender + additional_creators) have infinite power
     * @param roomIdFromCreateEvent    v12+ (MSC4291): room id is "!" + the create event's reference hash; the
     *                                 create event has no room_id and is never listed in auth_events
     */
    public record AuthorizationRules(
            boolean specialCaseAliases,
            boolean redactionAuthRule,
            boolean notificationsPowerLevels,
            boolean knocking,
            boolean restrictedJoins,
            boolean knockRestricted,
            boolean integerPowerLevels,
            boolean creatorFromSender,
            boolean privilegedCreators,
            boolean roomIdFromCreateEvent) {
    }

    /**
     * Which keys the redaction algorithm keeps (spec: rooms/v1 "Redactions", v6, v8, v9, v11).
     *
     * @param keepAliasesContent       v1-5: m.room.aliases keeps "aliases"
     * @param keepJoinRulesAllow       v8+: m.room.join_rules keeps "allow"
     * @param keepJoinAuthorisedVia    v9+: m.room.member keeps "join_authorised_via_users_server"
     * @param v11Rules                 v11+: m.room.create keeps all content, power levels keep "invite",
     *                                 m.room.redaction keeps "redacts" in content, member keeps
     *                                 third_party_invite.signed, and top-level "origin", "membership",
     *                                 "prev_state" are no longer kept
     */
    public record RedactionRules(
            boolean keepAliasesContent,
            boolean keepJoinRulesAllow,
            boolean keepJoinAuthorisedVia,
            boolean v11Rules) {
    }

    private static final Map<String, RoomVersion> KNOWN = new LinkedHashMap<>();

    public static final RoomVersion V1 = define("1", EventFormat.V1_SERVER_GENERATED, StateResolution.V1, 1);
    public static final RoomVersion V2 = define("2", EventFormat.V1_SERVER_GENERATED, StateResolution.V2, 2);
    public static final RoomVersion V3 = define("3", EventFormat.V3_REFERENCE_HASH, StateResolution.V2, 3);
    public static final RoomVersion V4 = define("4", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2, 4);
    public static final RoomVersion V5 = define("5", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2, 5);
    public static final RoomVersion V6 = define("6", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2, 6);
    public static final RoomVersion V7 = define("7", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2, 7);
    public static final RoomVersion V8 = define("8", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2, 8);
    public static final RoomVersion V9 = define("9", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2, 9);
    public static final RoomVersion V10 = define("10", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2, 10);
    public static final RoomVersion V11 = define("11", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2, 11);
    public static final RoomVersion V12 = define("12", EventFormat.V4_URL_SAFE_REFERENCE_HASH, StateResolution.V2_1, 12);

    /** The version new rooms get when a client names none. */
    public static final RoomVersion DEFAULT = V12;

    /** Each rule is written as "from version N on", so the table reads like the spec's changelog. */
    private static RoomVersion define(String id, EventFormat format, StateResolution stateRes, int n) {
        var auth = new AuthorizationRules(
                n <= 5, n <= 2, n >= 6, n >= 7, n >= 8, n >= 10, n >= 10, n >= 11, n >= 12, n >= 12);
        var redaction = new RedactionRules(n <= 5, n >= 8, n >= 9, n >= 11);
        var version = new RoomVersion(id, true, format, stateRes, auth, redaction, n >= 6, n >= 5);
        KNOWN.put(id, version);
        return version;
    }

    /** The version with this identifier, if this server supports it. */
    public static Optional<RoomVersion> byId(String id) {
        return Optional.ofNullable(KNOWN.get(id));
    }

    /** Every supported version, in order 1..12. */
    public static Iterable<RoomVersion> all() {
        return KNOWN.values();
    }
}

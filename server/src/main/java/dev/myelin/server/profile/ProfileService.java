package dev.myelin.server.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.ProfileStore;
import dev.myelin.server.user.AccountService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Profiles (spec: profile.yaml, "Profiles"; MSC4133 extended profiles): local users' displayname, avatar_url, m.tz
 * and custom namespaced fields, read and written here; other servers' users read from their server through
 * {@link RemoteProfiles}. A change of displayname or avatar_url is carried to the user's rooms by the
 * {@link MemberEventPropagator}.
 */
public final class ProfileService {
    /** The whole profile must be under 64 KiB (spec: PUT /profile/{userId}/{keyName}). */
    public static final int MAX_PROFILE_BYTES = 64 * 1024 - 1;
    /** Keys are at most 255 bytes (spec: M_KEY_TOO_LARGE). */
    static final int MAX_KEY_BYTES = 255;
    /** Display names are capped as Synapse caps them, so member events stay small. */
    static final int MAX_DISPLAYNAME_LENGTH = 256;
    static final int MAX_AVATAR_URL_LENGTH = 1000;

    private static final Pattern KEY = Pattern.compile(
            "avatar_url|displayname|m\\.tz|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
    private static final Pattern MXC = Pattern.compile("mxc://[A-Za-z0-9.:\\[\\]-]+/[A-Za-z0-9_-]+");

    private final AccountService accounts;
    private final ProfileStore store;
    private final MemberEventPropagator propagator;
    private volatile java.util.function.Predicate<String> unknownUserQuery = userId -> false;
    private volatile RemoteProfiles remote = (userId, field) -> Optional.empty();

    public ProfileService(AccountService accounts, ProfileStore store, MemberEventPropagator propagator) {
        this.accounts = accounts;
        this.store = store;
        this.propagator = propagator;
    }

    /**
     * Who is asked about a local user that does not exist (application services, spec: application-service-api
     * "Querying"); true if the user may exist now.
     */
    public void queryUnknownUsersWith(java.util.function.Predicate<String> query) {
        this.unknownUserQuery = query;
    }

    /** Where other servers' users' profiles are read (federation, when it is wired). */
    public void remote(RemoteProfiles remote) {
        this.remote = remote;
    }

    private boolean isRemote(String userId) {
        return !userId.endsWith(":" + accounts.serverName());
    }

    private boolean isLocalUser(String userId) {
        return accounts.find(userId).filter(account -> !account.deactivated()).isPresent();
    }

    /** The whole profile; 404 for users this server does not have. */
    public ObjectNode profile(String userId) {
        if (isRemote(userId)) {
            return remote.query(userId, Optional.empty())
                    .orElseThrow(() -> MatrixException.notFound("Profile not found"));
        }
        Map<String, String> fields = store.fields(userId);
        if (fields.isEmpty() && !isLocalUser(userId)) {
            if (!unknownUserQuery.test(userId) || !isLocalUser(userId)) {
                throw MatrixException.notFound("Profile not found");
            }
            fields = store.fields(userId);
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        fields.forEach((key, value) -> out.set(key, parse(value)));
        return out;
    }

    public ObjectNode field(String userId, String key) {
        checkKey(key);
        if (isRemote(userId)) {
            JsonNode value = remote.query(userId, Optional.of(key)).map(profile -> profile.get(key))
                    .filter(found -> !found.isNull())
                    .orElseThrow(() -> MatrixException.notFound("Profile field not found"));
            return Json.MAPPER.createObjectNode().set(key, value);
        }
        String value = store.field(userId, key).orElseThrow(() -> MatrixException.notFound("Profile field not found"));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set(key, parse(value));
        return out;
    }

    /** The displayname and avatar_url a member event of the user carries. */
    public Map<String, String> memberFields(String userId) {
        return memberFields(store.fields(userId));
    }

    /** The displayname and avatar_url among stored profile fields. */
    public static Map<String, String> memberFields(Map<String, String> fields) {
        var out = new LinkedHashMap<String, String>();
        for (String key : new String[]{"displayname", "avatar_url"}) {
            Optional.ofNullable(fields.get(key)).map(ProfileService::parse)
                    .filter(JsonNode::isTextual).ifPresent(value -> out.put(key, value.asText()));
        }
        return out;
    }

    /**
     * Sets a field of the requester's own profile. An empty or null displayname or avatar_url removes it, as
     * clients clear them that way.
     */
    public void set(String requester, String userId, String key, ObjectNode body) {
        checkKey(key);
        requireOwn(requester, userId);
        if (!body.has(key)) {
            throw MatrixException.missingParam("The body must contain '" + key + "'");
        }
        JsonNode value = body.get(key);
        boolean memberField = key.equals("displayname") || key.equals("avatar_url");
        if (memberField && (value.isNull() || (value.isTextual() && value.asText().isEmpty()))) {
            delete(requester, userId, key);
            return;
        }
        validate(key, value);
        String json = value.toString();
        if (!store.set(userId, key, json, MAX_PROFILE_BYTES)) {
            throw new MatrixException(400, ErrorCode.M_PROFILE_TOO_LARGE, "The profile would exceed 64 KiB");
        }
        if (memberField) {
            propagator.changed(userId);
        }
    }

    public void delete(String requester, String userId, String key) {
        checkKey(key);
        requireOwn(requester, userId);
        store.delete(userId, key);
        if (key.equals("displayname") || key.equals("avatar_url")) {
            propagator.changed(userId);
        }
    }

    /** Erases a deactivated user's profile (spec: POST /account/deactivate "erase"). */
    public void erase(String userId) {
        store.deleteAll(userId);
    }

    private void requireOwn(String requester, String userId) {
        if (!requester.equals(userId)) {
            throw MatrixException.forbidden("You may only change your own profile");
        }
    }

    private static void checkKey(String key) {
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new MatrixException(400, ErrorCode.M_KEY_TOO_LARGE, "Profile keys are at most 255 bytes");
        }
        if (!KEY.matcher(key).matches()) {
            throw MatrixException.invalidParam("Invalid profile key '" + key + "'");
        }
    }

    private static void validate(String key, JsonNode value) {
        switch (key) {
            case "displayname" -> {
                if (!value.isTextual()) {
                    throw MatrixException.badJson("'displayname' must be a string");
                }
                if (value.asText().length() > MAX_DISPLAYNAME_LENGTH || value.asText().indexOf('\0') >= 0) {
                    throw MatrixException.invalidParam("'displayname' must be at most 256 characters, without NUL");
                }
            }
            case "avatar_url" -> {
                if (!value.isTextual()) {
                    throw MatrixException.badJson("'avatar_url' must be a string");
                }
                if (value.asText().length() > MAX_AVATAR_URL_LENGTH || !MXC.matcher(value.asText()).matches()) {
                    throw MatrixException.invalidParam("'avatar_url' must be an mxc:// URI");
                }
            }
            case "m.tz" -> {
                if (!value.isTextual()) {
                    throw MatrixException.badJson("'m.tz' must be a string");
                }
            }
            default -> {
                // Custom fields may hold any JSON (spec); only the profile's total size is limited.
            }
        }
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

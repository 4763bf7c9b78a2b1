package dev.myelin.server.client;

import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Endpoint;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.spec.event.RoomVersion;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * GET /_matrix/client/v3/capabilities (spec: client-server-api "Capabilities negotiation").
 * Each capability says what really works on this server; flip one only when its feature lands.
 */
public final class CapabilitiesEndpoint implements Endpoint {
    private final Authenticator authenticator;
    private final Predicate<Requester> moderator;
    private final Map<String, Object> capabilities;

    /** @param moderator whether a user may lock and suspend accounts (server admins) */
    public CapabilitiesEndpoint(Authenticator authenticator, Predicate<Requester> moderator) {
        this.authenticator = authenticator;
        this.moderator = moderator;
        var available = new LinkedHashMap<String, String>();
        for (RoomVersion version : RoomVersion.all()) {
            available.put(version.id(), version.stable() ? "stable" : "unstable");
        }
        var capabilities = new LinkedHashMap<String, Object>();
        capabilities.put("m.room_versions", Map.of("default", RoomVersion.DEFAULT.id(), "available", available));
        capabilities.put("m.change_password", Map.of("enabled", true));
        capabilities.put("m.set_displayname", Map.of("enabled", true));
        capabilities.put("m.set_avatar_url", Map.of("enabled", true));
        // Every profile field may be changed by its owner (spec: "m.profile_fields capability", MSC4133).
        capabilities.put("m.profile_fields", Map.of("enabled", true));
        capabilities.put("m.3pid_changes", Map.of("enabled", false));
        capabilities.put("m.get_login_token", Map.of("enabled", true));
        this.capabilities = Map.copyOf(capabilities);
    }

    @Override
    public MatrixResponse handle(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        if (!moderator.test(requester)) {
            return MatrixResponse.ok(Map.of("capabilities", capabilities));
        }
        // Left out altogether for everyone else (spec: "m.account_moderation" capability, v1.18).
        var withModeration = new LinkedHashMap<String, Object>(capabilities);
        withModeration.put("m.account_moderation", Map.of("suspend", true, "lock", true));
        return MatrixResponse.ok(Map.of("capabilities", withModeration));
    }
}

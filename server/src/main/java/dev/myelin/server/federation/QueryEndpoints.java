package dev.myelin.server.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.RoomAlias;
import dev.myelin.spec.id.UserId;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Federation queries (spec: server-server-api "Querying for information", query.yaml):
 * {@code GET /query/directory?room_alias=} gives the room id of one of our aliases and servers in the room (ours
 * first); {@code GET /query/profile?user_id=[&field=]} gives a local user's displayname and avatar_url.
 */
public final class QueryEndpoints {
    private static final Set<String> PROFILE_FIELDS = Set.of("displayname", "avatar_url");

    private final String serverName;
    private final RoomStore rooms;
    private final ProfileQuery profiles;

    public QueryEndpoints(String serverName, RoomStore rooms, ProfileQuery profiles) {
        this.serverName = serverName;
        this.rooms = rooms;
        this.profiles = profiles;
    }

    public void register(FederationRoutes routes) {
        routes.add("GET", FederationRoutes.V1 + "/query/directory", this::directory);
        routes.add("GET", FederationRoutes.V1 + "/query/profile", this::profile);
    }

    private MatrixResponse directory(MatrixRequest request, String origin) {
        String text = request.query("room_alias").orElseThrow(() -> MatrixException.missingParam("room_alias is required"));
        RoomAlias alias;
        try {
            alias = RoomAlias.parse(text);
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid room alias: " + e.reason());
        }
        if (!alias.server().toString().equals(serverName)) {
            throw MatrixException.notFound("Room alias " + text + " is not on this server");
        }
        String roomId = rooms.aliasRoom(alias.toString())
                .orElseThrow(() -> MatrixException.notFound("Room alias " + text + " not found"));
        var servers = new LinkedHashSet<String>();
        servers.add(serverName);
        for (RoomStore.Membership member : rooms.members(roomId, "join")) {
            servers.add(member.userId().substring(member.userId().indexOf(':') + 1));
        }
        return MatrixResponse.ok(Map.of("room_id", roomId, "servers", servers));
    }

    private MatrixResponse profile(MatrixRequest request, String origin) {
        String text = request.query("user_id").orElseThrow(() -> MatrixException.missingParam("user_id is required"));
        UserId userId;
        try {
            userId = UserId.parse(text);
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid user id: " + e.reason());
        }
        if (!userId.server().toString().equals(serverName)) {
            throw MatrixException.notFound("User " + text + " is not on this server");
        }
        var field = request.query("field");
        if (field.isPresent() && !PROFILE_FIELDS.contains(field.get())) {
            throw MatrixException.invalidParam("field must be displayname or avatar_url");
        }
        ObjectNode profile = profiles.profile(userId.toString());
        ObjectNode answer = profile.objectNode();
        for (String name : PROFILE_FIELDS) {
            JsonNode value = profile.get(name);
            if (value != null && !value.isNull() && (field.isEmpty() || field.get().equals(name))) {
                answer.set(name, value);
            }
        }
        return MatrixResponse.ok(answer);
    }
}

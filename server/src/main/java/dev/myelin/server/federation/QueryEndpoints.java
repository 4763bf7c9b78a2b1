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

/**
 * Federation queries (spec: server-server-api "Querying for information", query.yaml):
 * {@code GET /query/directory?room_alias=} gives the room id of one of our aliases and servers in the room (ours
 * first); {@code GET /query/profile?user_id=[&field=]} gives a local user's public profile: every field
 * (displayname, avatar_url, m.tz and custom fields, v1.16), or only {@code field}, omitted when it is not set.
 */
public final class QueryEndpoints {
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
        ObjectNode profile = profiles.profile(userId.toString());
        var field = request.query("field");
        if (field.isEmpty()) {
            return MatrixResponse.ok(profile);
        }
        ObjectNode answer = profile.objectNode();
        JsonNode value = profile.get(field.get());
        if (value != null) {
            answer.set(field.get(), value);
        }
        return MatrixResponse.ok(answer);
    }
}

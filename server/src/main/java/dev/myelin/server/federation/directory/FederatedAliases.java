package dev.myelin.server.federation.directory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RemoteAliases;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.RoomAlias;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Optional;

/**
 * Other servers' aliases, asked of the alias's server (spec: server-server-api "Room Aliases", GET
 * /query/directory): the room id and servers in the room, the alias's server first.
 */
final class FederatedAliases implements RemoteAliases {
    private final FederationClient client;

    FederatedAliases(FederationClient client) {
        this.client = client;
    }

    @Override
    public Optional<Resolved> resolve(String alias) {
        String server;
        try {
            server = RoomAlias.parse(alias).server().toString();
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid room alias: " + e.reason());
        }
        JsonNode answer;
        try {
            answer = client.get(server, "/_matrix/federation/v1/query/directory?room_alias="
                    + URLEncoder.encode(alias, StandardCharsets.UTF_8));
        } catch (FederationException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw RemoteErrors.toClient(e, "resolve " + alias);
        }
        if (!answer.path("room_id").isTextual() || !answer.path("room_id").asText().startsWith("!")) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, server + " answered " + alias + " without a room id");
        }
        var servers = new ArrayList<String>();
        servers.add(server);
        answer.path("servers").forEach(name -> {
            if (name.isTextual() && !servers.contains(name.asText())) {
                servers.add(name.asText());
            }
        });
        return Optional.of(new Resolved(answer.get("room_id").asText(), servers));
    }
}

package dev.myelin.server.federation.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.profile.RemoteProfiles;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.UserId;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Other servers' users' profiles, asked of the user's server (spec: server-server-api "Querying for information",
 * GET /query/profile). Fields the server gives as {@code null} are not set (spec), so they are left out. Not cached:
 * clients read remote profiles rarely (member events carry names and avatars), and an answer is then never stale.
 */
final class FederatedProfiles implements RemoteProfiles {
    private final FederationClient client;

    FederatedProfiles(FederationClient client) {
        this.client = client;
    }

    @Override
    public Optional<ObjectNode> query(String userId, Optional<String> field) {
        String server;
        try {
            server = UserId.parse(userId).server().toString();
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid user id: " + e.reason());
        }
        String path = "/_matrix/federation/v1/query/profile?user_id=" + URLEncoder.encode(userId, StandardCharsets.UTF_8)
                + field.map(name -> "&field=" + URLEncoder.encode(name, StandardCharsets.UTF_8)).orElse("");
        JsonNode answer;
        try {
            answer = client.get(server, path);
        } catch (FederationException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw RemoteErrors.toClient(e, "read the profile of " + userId);
        }
        if (!answer.isObject()) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, server + " answered a profile that is not an object");
        }
        ObjectNode profile = answer.deepCopy();
        profile.properties().removeIf(entry -> entry.getValue().isNull());
        return Optional.of(profile);
    }
}

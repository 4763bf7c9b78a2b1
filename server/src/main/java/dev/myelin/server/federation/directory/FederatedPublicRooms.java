package dev.myelin.server.federation.directory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.directory.PublicRoomQuery;
import dev.myelin.server.directory.RemotePublicRooms;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;

/**
 * Another server's published room directory (spec: server-server-api "Public Room Directory"): a GET when the query
 * has no filter, else a POST with it.
 */
final class FederatedPublicRooms implements RemotePublicRooms {
    private static final String PATH = "/_matrix/federation/v1/publicRooms";

    private final FederationClient client;

    FederatedPublicRooms(FederationClient client) {
        this.client = client;
    }

    @Override
    public JsonNode query(String server, PublicRoomQuery query) {
        JsonNode answer;
        try {
            answer = query.unfiltered() ? client.get(server, PATH + query.toQueryString())
                    : client.post(server, PATH, query.toBody());
        } catch (FederationException e) {
            throw RemoteErrors.toClient(e, "read the room directory of " + server);
        }
        if (!answer.path("chunk").isArray()) {
            throw new MatrixException(502, ErrorCode.M_UNKNOWN, server + " answered without a room list");
        }
        return answer;
    }
}

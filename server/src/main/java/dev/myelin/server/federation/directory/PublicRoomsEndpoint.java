package dev.myelin.server.federation.directory;

import dev.myelin.server.directory.PublicRoomDirectory;
import dev.myelin.server.directory.PublicRoomQuery;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;

/**
 * {@code GET/POST /_matrix/federation/v1/publicRooms} (spec: server-server public_rooms.yaml): this server's published
 * rooms for any server that asks; without a {@code limit}, all of them.
 */
final class PublicRoomsEndpoint {
    private final PublicRoomDirectory directory;

    PublicRoomsEndpoint(PublicRoomDirectory directory) {
        this.directory = directory;
    }

    void register(FederationRoutes routes) {
        routes.add("GET", FederationRoutes.V1 + "/publicRooms", (request, origin) ->
                MatrixResponse.ok(directory.page(PublicRoomQuery.fromParameters(request, 0))));
        routes.add("POST", FederationRoutes.V1 + "/publicRooms", (request, origin) -> post(request));
    }

    private MatrixResponse post(MatrixRequest request) throws Exception {
        return MatrixResponse.ok(directory.page(PublicRoomQuery.fromBody(request.jsonObject(), 0)));
    }
}

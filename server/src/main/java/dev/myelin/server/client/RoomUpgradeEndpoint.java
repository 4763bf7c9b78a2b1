package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Endpoint;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.room.RoomUpgrade;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.UserId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** POST /rooms/{roomId}/upgrade (spec: room_upgrades.yaml). */
public final class RoomUpgradeEndpoint implements Endpoint {
    public static final String PATH = "/rooms/{roomId}/upgrade";

    private final Authenticator authenticator;
    private final RoomUpgrade upgrade;

    public RoomUpgradeEndpoint(Authenticator authenticator, RoomUpgrade upgrade) {
        this.authenticator = authenticator;
        this.upgrade = upgrade;
    }

    @Override
    public MatrixResponse handle(MatrixRequest request) throws Exception {
        Requester requester = authenticator.requireNonGuest(request).requireNotSuspended();
        ObjectNode body = request.jsonObject();
        String versionId = Fields.requiredString(body, "new_version");
        RoomVersion version = RoomVersion.byId(versionId).orElseThrow(() -> new MatrixException(400,
                ErrorCode.M_UNSUPPORTED_ROOM_VERSION, "Unsupported room version " + versionId));
        List<String> additionalCreators = new ArrayList<>();
        JsonNode creators = body.get("additional_creators");
        if (creators != null && !creators.isNull()) {
            if (!creators.isArray()) {
                throw MatrixException.badJson("'additional_creators' must be a list of user ids");
            }
            for (JsonNode creator : creators) {
                try {
                    additionalCreators.add(UserId.parse(creator.asText()).toString());
                } catch (InvalidIdentifierException e) {
                    throw MatrixException.invalidParam("Invalid user id " + creator.asText() + ": " + e.reason());
                }
            }
        }
        String newRoomId = upgrade.upgrade(request.pathParam("roomId"), requester.userId(), version,
                additionalCreators);
        return MatrixResponse.ok(Map.of("replacement_room", newRoomId));
    }
}

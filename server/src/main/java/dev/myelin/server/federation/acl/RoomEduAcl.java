package dev.myelin.server.federation.acl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Optional;

/**
 * Server ACLs on the EDUs that belong to a room (spec: server-server-api "Server Access Control Lists (ACLs)"): an
 * {@code m.typing} from a server denied in its room is ignored; the {@code m.receipt} entries of rooms that deny the
 * server are dropped and the others kept. Other EDU types are not tied to a room and pass as they are.
 */
public final class RoomEduAcl {
    private final ServerAcls acls;

    public RoomEduAcl(ServerAcls acls) {
        this.acls = acls;
    }

    /** The content to handle, or empty when nothing of it is left. */
    public Optional<JsonNode> admit(String eduType, String origin, JsonNode content) {
        return switch (eduType) {
            case "m.typing" -> acls.allows(content.path("room_id").asText(""), origin)
                    ? Optional.of(content) : Optional.empty();
            case "m.receipt" -> receipts(origin, content);
            default -> Optional.of(content);
        };
    }

    private Optional<JsonNode> receipts(String origin, JsonNode content) {
        if (!(content instanceof ObjectNode rooms)) {
            return Optional.of(content);
        }
        ObjectNode kept = rooms.objectNode();
        for (Map.Entry<String, JsonNode> room : rooms.properties()) {
            if (acls.allows(room.getKey(), origin)) {
                kept.set(room.getKey(), room.getValue());
            }
        }
        return kept.isEmpty() ? Optional.empty() : Optional.of(kept);
    }
}

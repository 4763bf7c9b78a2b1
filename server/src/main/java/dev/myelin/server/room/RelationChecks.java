package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.RelationStore;
import dev.myelin.server.storage.RoomStore;

/**
 * Relations a client may not send: a thread off an event that itself relates to another (spec: threading "Validation
 * of m.thread relationships", 400 M_UNKNOWN) and a second identical annotation (spec: event_annotations "Avoiding
 * duplicate annotations", 400 M_DUPLICATE_ANNOTATION).
 */
public final class RelationChecks {
    private final RoomStore store;
    private final RelationStore relations;

    public RelationChecks(RoomStore store, RelationStore relations) {
        this.store = store;
        this.relations = relations;
    }

    public void check(String roomId, String sender, String type, ObjectNode content) {
        JsonNode relatesTo = content.get("m.relates_to");
        if (relatesTo == null || !relatesTo.path("event_id").isTextual()) {
            return;
        }
        String parentId = relatesTo.get("event_id").asText();
        switch (relatesTo.path("rel_type").asText()) {
            case "m.thread" -> {
                if (relations.relationOf(parentId).isPresent()) {
                    throw new MatrixException(400, ErrorCode.M_UNKNOWN,
                            "Cannot start a thread from an event that relates to another event");
                }
            }
            case "m.annotation" -> {
                String key = relatesTo.path("key").asText(null);
                RoomStore.Room room = store.room(roomId).orElse(null);
                if (key != null && room != null && relations.hasAnnotation(room.nid(), parentId, sender, type, key)) {
                    throw new MatrixException(400, ErrorCode.M_DUPLICATE_ANNOTATION,
                            "You already annotated this event with " + key);
                }
            }
            default -> { }
        }
    }
}

package dev.myelin.spec.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.json.UnpaddedBase64;

/**
 * Event ids and hash-derived room ids (spec: rooms/v1, v3, v4 "Event IDs"; rooms/v12 and MSC4291
 * for room ids).
 */
public final class EventIds {
    private EventIds() {
    }

    /**
     * The event's id under the room version's format: the "event_id" the origin put in the event
     * for versions 1-2, otherwise "$" + its reference hash in standard (v3) or URL-safe (v4+)
     * unpadded base64.
     *
     * @throws IllegalArgumentException if a version 1-2 event has no string "event_id"
     */
    public static String eventId(ObjectNode event, RoomVersion version) {
        return switch (version.eventFormat()) {
            case V1_SERVER_GENERATED -> {
                JsonNode id = event.get("event_id");
                if (id == null || !id.isTextual()) {
                    throw new IllegalArgumentException("room version " + version.id() + " events carry their event_id");
                }
                yield id.textValue();
            }
            case V3_REFERENCE_HASH -> "$" + UnpaddedBase64.encode(EventHashes.referenceHash(event, version));
            case V4_URL_SAFE_REFERENCE_HASH -> "$" + UnpaddedBase64.encodeUrlSafe(EventHashes.referenceHash(event, version));
        };
    }

    /**
     * The room id a create event makes in room versions whose room id is derived from it (v12+):
     * "!" + the URL-safe unpadded base64 reference hash, i.e. its event id with "!" for "$".
     *
     * @throws IllegalArgumentException if the room version names rooms some other way
     */
    public static String roomIdFromCreateEvent(ObjectNode createEvent, RoomVersion version) {
        if (!version.authorization().roomIdFromCreateEvent()) {
            throw new IllegalArgumentException("room version " + version.id() + " does not derive room ids from create events");
        }
        return "!" + UnpaddedBase64.encodeUrlSafe(EventHashes.referenceHash(createEvent, version));
    }
}

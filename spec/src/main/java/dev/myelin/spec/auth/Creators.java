package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;

import java.util.HashSet;
import java.util.Set;

/** Who created a room, per room version (rooms/v11 "creator is the sender", v12 MSC4289). */
final class Creators {
    private Creators() {}

    static Set<String> of(Pdu create, RoomVersion version) {
        if (create == null) {
            return Set.of();
        }
        if (!version.authorization().creatorFromSender()) {
            JsonNode creator = create.content().get("creator");
            return creator != null && creator.isTextual() ? Set.of(creator.asText()) : Set.of();
        }
        if (!version.authorization().privilegedCreators()) {
            return create.sender() == null ? Set.of() : Set.of(create.sender());
        }
        var creators = new HashSet<String>();
        if (create.sender() != null) {
            creators.add(create.sender());
        }
        JsonNode additional = create.content().get("additional_creators");
        if (additional != null && additional.isArray()) {
            for (JsonNode user : additional) {
                if (user.isTextual()) {
                    creators.add(user.asText());
                }
            }
        }
        return creators;
    }
}

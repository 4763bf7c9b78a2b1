package dev.myelin.server.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.RoomVersion;

import java.util.List;
import java.util.Optional;

/**
 * What POST /createRoom asks for, already validated (spec: create_room.yaml).
 *
 * @param preset       private_chat, public_chat or trusted_private_chat; empty means by visibility
 * @param initialState state events in the order given
 */
public record CreateRoomRequest(
        RoomVersion version,
        boolean publicVisibility,
        Optional<String> preset,
        Optional<String> name,
        Optional<String> topic,
        List<String> invite,
        boolean isDirect,
        ObjectNode creationContent,
        List<InitialState> initialState,
        Optional<ObjectNode> powerLevelOverride,
        Optional<String> canonicalAlias) {

    public record InitialState(String type, String stateKey, ObjectNode content) {}
}

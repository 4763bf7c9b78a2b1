package dev.myelin.server.typing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.StreamName;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncContributor;
import dev.myelin.server.sync.SyncResponse;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code m.typing} in each joined room's {@code ephemeral} section: the full list of typists of changed rooms. */
public final class TypingSync implements SyncContributor {
    private final TypingService typing;

    public TypingSync(TypingService typing) {
        this.typing = typing;
    }

    @Override
    public StreamName stream() {
        return TypingService.STREAM;
    }

    @Override
    public long currentPosition() {
        return typing.currentPosition();
    }

    @Override
    public long contribute(SyncContext context, long since, long upTo, SyncResponse response) {
        Set<String> changedRooms = new HashSet<>(context.joinedRooms());
        changedRooms.removeAll(context.newlyJoinedRooms());
        Map<String, List<String>> rooms = typing.changed(changedRooms, since, upTo);
        rooms.putAll(typing.changed(context.newlyJoinedRooms(), 0, upTo));
        rooms.forEach((roomId, userIds) -> response.addRoomEvent(roomId, "ephemeral", event(userIds)));
        return upTo;
    }

    static ObjectNode event(List<String> userIds) {
        ObjectNode event = Json.MAPPER.createObjectNode().put("type", "m.typing");
        var ids = event.putObject("content").putArray("user_ids");
        userIds.forEach(ids::add);
        return event;
    }
}

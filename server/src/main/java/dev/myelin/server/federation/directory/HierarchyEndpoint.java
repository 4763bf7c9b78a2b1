package dev.myelin.server.federation.directory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.space.RoomSummaries;
import dev.myelin.server.space.SpaceHierarchy;

import java.util.Optional;

/**
 * {@code GET /_matrix/federation/v1/hierarchy/{roomId}} (spec: server-server space_hierarchy.yaml): a room this
 * server is in, with its m.space.child events and a summary of each child the asking server may see; children it
 * may not see are listed as inaccessible, children this server is not in are left out. Not paginated.
 */
final class HierarchyEndpoint {
    private final RoomSummaries summaries;
    private final SpaceHierarchy hierarchy;

    HierarchyEndpoint(RoomSummaries summaries, SpaceHierarchy hierarchy) {
        this.summaries = summaries;
        this.hierarchy = hierarchy;
    }

    void register(FederationRoutes routes) {
        routes.add("GET", FederationRoutes.V1 + "/hierarchy/{roomId}", this::hierarchy);
    }

    private MatrixResponse hierarchy(MatrixRequest request, String origin) {
        String suggested = request.query("suggested_only").orElse("false");
        if (!suggested.equals("true") && !suggested.equals("false")) {
            throw MatrixException.invalidParam("'suggested_only' must be true or false");
        }
        String roomId = request.pathParam("roomId");
        RoomSummaries.Summary room = known(roomId).filter(summary -> summary.visibleToServer(origin))
                .orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
        ObjectNode answer = Json.MAPPER.createObjectNode();
        ObjectNode rendered = answer.putObject("room");
        rendered.setAll(room.render());
        ArrayNode childrenState = rendered.putArray("children_state");
        ArrayNode children = answer.putArray("children");
        ArrayNode inaccessible = answer.putArray("inaccessible_children");
        boolean space = room.roomType().filter("m.space"::equals).isPresent();
        if (space) {
            for (ObjectNode stripped : hierarchy.childrenState(room, suggested.equals("true"))) {
                childrenState.add(stripped);
                String childId = stripped.path("state_key").asText();
                Optional<RoomSummaries.Summary> child = known(childId);
                if (child.isEmpty()) {
                    continue;
                }
                if (child.get().visibleToServer(origin)) {
                    children.add(child.get().render());
                } else {
                    inaccessible.add(childId);
                }
            }
        }
        return MatrixResponse.ok(answer);
    }

    /** A room this server is in, so it can summarise it with current state. */
    private Optional<RoomSummaries.Summary> known(String roomId) {
        return summaries.of(roomId).filter(RoomSummaries.Summary::current);
    }
}

package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.space.RoomSummaries;
import dev.myelin.server.space.SpaceHierarchy;

import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Room summaries (spec: room_summary.yaml, MSC3266, also at its unstable im.nheko.summary paths) and the space
 * hierarchy (spec: space_hierarchy.yaml).
 */
public final class SpaceEndpoints {
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 100;

    private final Authenticator authenticator;
    private final RoomService rooms;
    private final RoomSummaries summaries;
    private final SpaceHierarchy hierarchy;

    public SpaceEndpoints(Authenticator authenticator, RoomService rooms, RoomSummaries summaries,
                          SpaceHierarchy hierarchy) {
        this.authenticator = authenticator;
        this.rooms = rooms;
        this.summaries = summaries;
        this.hierarchy = hierarchy;
    }

    public void register(Router router) {
        router.add("GET", "/_matrix/client/v1/room_summary/{roomIdOrAlias}", this::summary);
        router.add("GET", "/_matrix/client/unstable/im.nheko.summary/summary/{roomIdOrAlias}", this::summary);
        router.add("GET", "/_matrix/client/unstable/im.nheko.summary/rooms/{roomIdOrAlias}/summary", this::summary);
        router.add("GET", "/_matrix/client/v1/rooms/{roomId}/hierarchy", this::hierarchy);
    }

    private MatrixResponse summary(MatrixRequest request) {
        Optional<Requester> requester = authenticator.optional(request);
        String target = request.pathParam("roomIdOrAlias");
        MatrixException notFound = MatrixException.notFound("Room not found.");
        String roomId = target.startsWith("#") ? rooms.store().aliasRoom(target).orElseThrow(() -> notFound) : target;
        RoomSummaries.Summary summary = summaries.of(roomId).orElseThrow(() -> notFound);
        boolean visible = requester.map(r -> summary.visibleTo(r.userId())).orElse(summary.open());
        if (!visible) {
            throw notFound;
        }
        ObjectNode out = summary.render();
        requester.ifPresent(r -> out.put("membership", rooms.currentMembership(roomId, r.userId())));
        return MatrixResponse.ok(out);
    }

    private MatrixResponse hierarchy(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        int limit = Math.min(intParam(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT);
        int maxDepth = Math.min(intParam(request, "max_depth", SpaceHierarchy.MAX_DEPTH, 0), SpaceHierarchy.MAX_DEPTH);
        String suggested = request.query("suggested_only").orElse("false");
        if (!suggested.equals("true") && !suggested.equals("false")) {
            throw MatrixException.invalidParam("'suggested_only' must be true or false");
        }
        var page = hierarchy.hierarchy(requester.userId(), request.pathParam("roomId"), maxDepth,
                suggested.equals("true"), limit, request.query("from"));
        var out = new LinkedHashMap<String, Object>();
        out.put("rooms", page.rooms());
        page.nextBatch().ifPresent(token -> out.put("next_batch", token));
        return MatrixResponse.ok(out);
    }

    private static int intParam(MatrixRequest request, String name, int fallback, int min) {
        Optional<String> text = request.query(name);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value < min) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'" + name + "' must be an integer of at least " + min);
        }
    }
}

package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.RemoteAliases;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.space.RoomSummaries;
import dev.myelin.server.space.SpaceHierarchy;
import org.eclipse.jetty.server.Request;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
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
        var resolved = target.startsWith("#") ? rooms.lookupAlias(target).orElseThrow(() -> notFound)
                : new RemoteAliases.Resolved(target, List.of());
        String roomId = resolved.roomId();
        Optional<RoomSummaries.Summary> local = summaries.of(roomId);
        ObjectNode out;
        if (local.isPresent() && local.get().current()) {
            out = visibleLocal(local.get(), requester).orElseThrow(() -> notFound);
        } else {
            // A room this server is not in (or only invited to, or knocked on): ask a server that is.
            Optional<String> userId = requester.map(Requester::userId);
            Optional<ObjectNode> remote = hierarchy.remoteSummary(roomId, via(request, resolved))
                    .filter(summary -> summaries.remoteVisibleTo(summary, userId));
            out = remote.or(() -> local.flatMap(summary -> visibleLocal(summary, requester)))
                    .orElseThrow(() -> notFound);
        }
        requester.ifPresent(r -> out.put("membership", rooms.currentMembership(roomId, r.userId())));
        return MatrixResponse.ok(out);
    }

    private static Optional<ObjectNode> visibleLocal(RoomSummaries.Summary summary, Optional<Requester> requester) {
        boolean visible = requester.map(r -> summary.visibleTo(r.userId())).orElse(summary.open());
        return visible ? Optional.of(summary.render()) : Optional.empty();
    }

    /**
     * The servers to ask about a room this server is not in: {@code via}, those its alias's server named, else the
     * room id's server.
     */
    private List<String> via(MatrixRequest request, RemoteAliases.Resolved resolved) {
        var servers = new LinkedHashSet<String>();
        List<String> given = Request.extractQueryParameters(request.jetty()).getValues("via");
        if (given != null) {
            servers.addAll(given);
        }
        servers.addAll(resolved.servers());
        String roomId = resolved.roomId();
        int colon = roomId.indexOf(':');
        if (servers.isEmpty() && colon > 0) {
            servers.add(roomId.substring(colon + 1));
        }
        servers.remove(rooms.serverName());
        return List.copyOf(servers);
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

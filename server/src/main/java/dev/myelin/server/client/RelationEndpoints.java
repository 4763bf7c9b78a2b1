package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.sync.SyncToken;
import dev.myelin.server.room.BundledAggregations;
import dev.myelin.server.room.IgnoredUsers;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RelationStore;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.RoomVersion;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Child events of an event and the threads of a room (spec: relations.yaml, threads_list.yaml). Pagination tokens
 * are positions in the events stream, the same as those of /messages.
 */
public final class RelationEndpoints {
    private static final String V1 = "/_matrix/client/v1";
    /** Levels of relations followed with recurse=true (the spec asks for at least 3). */
    static final int RECURSION_DEPTH = 3;
    private static final int DEFAULT_LIMIT = 5;
    private static final int MAX_LIMIT = 100;

    private final Authenticator authenticator;
    private final RoomService rooms;
    private final RoomReader reader;
    private final RelationStore relations;
    private final BundledAggregations aggregations;
    private final IgnoredUsers ignoredUsers;

    public RelationEndpoints(Authenticator authenticator, RoomService rooms, RoomReader reader,
                             RelationStore relations, BundledAggregations aggregations, IgnoredUsers ignoredUsers) {
        this.authenticator = authenticator;
        this.rooms = rooms;
        this.reader = reader;
        this.relations = relations;
        this.aggregations = aggregations;
        this.ignoredUsers = ignoredUsers;
    }

    public void register(Router router) {
        router.add("GET", V1 + "/rooms/{roomId}/relations/{eventId}", this::relations);
        router.add("GET", V1 + "/rooms/{roomId}/relations/{eventId}/{relType}", this::relations);
        router.add("GET", V1 + "/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}", this::relations);
        router.add("GET", V1 + "/rooms/{roomId}/threads", this::threads);
    }

    private static int limit(MatrixRequest request, int defaultLimit, int max) {
        int limit = request.query("limit").map(RoomEndpoints::parseLimit).orElse(defaultLimit);
        if (limit < 0) {
            throw MatrixException.invalidParam("'limit' must not be negative");
        }
        return Math.min(limit, max);
    }

    private MatrixResponse relations(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        RoomStore.Room room = rooms.store().room(request.pathParam("roomId"))
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        RoomVersion version = RoomService.version(room);
        RoomReader.VisibilityCheck visibility = reader.visibility(requester.userId(), room);
        StoredEvent parent = rooms.store().event(request.pathParam("eventId"))
                .filter(e -> e.roomNid() == room.nid() && !e.rejected())
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        if (!visibility.canSee(reader.load(parent, version))) {
            throw MatrixException.notFound("Event not found");
        }
        String relType = request.pathParamIfPresent("relType").orElse(null);
        String eventType = request.pathParamIfPresent("eventType").orElse(null);
        String dir = request.query("dir").orElse("b");
        if (!dir.equals("b") && !dir.equals("f")) {
            throw MatrixException.invalidParam("'dir' must be b or f");
        }
        boolean backwards = dir.equals("b");
        String recurseText = request.query("recurse").orElse("false");
        if (!recurseText.equals("true") && !recurseText.equals("false")) {
            throw MatrixException.invalidParam("'recurse' must be true or false");
        }
        boolean recurse = recurseText.equals("true");
        int limit = limit(request, 50, MAX_LIMIT);
        long from = request.query("from").map(SyncToken::eventsPosition)
                .orElseGet(() -> backwards ? rooms.store().currentStreamPos() : 0L);
        long to = request.query("to").map(SyncToken::eventsPosition).orElse(backwards ? 0L : Long.MAX_VALUE);
        Set<String> parents = recurse ? descendantParents(room.nid(), parent.eventId()) : Set.of(parent.eventId());
        Set<String> ignored = ignoredUsers.ignoredBy(requester.userId());

        var chunk = new ArrayList<ObjectNode>();
        long position = from;
        boolean exhausted = false;
        while (chunk.size() < limit && !exhausted) {
            int page = Math.max(limit - chunk.size(), 20);
            List<StoredEvent> events = relations.children(room.nid(), parents, relType, eventType, position, to,
                    backwards, page);
            exhausted = events.size() < page;
            for (StoredEvent stored : events) {
                position = backwards ? stored.streamPos() - 1 : stored.streamPos();
                RoomReader.Event event = reader.load(stored, version);
                if (!ignored.contains(event.pdu().sender()) && visibility.canSee(event)) {
                    chunk.add(reader.clientEvent(event, version, requester.userId(), requester.deviceId()));
                    if (chunk.size() == limit) {
                        break;
                    }
                }
            }
        }
        aggregations.addTo(room, chunk, requester.userId());
        var body = new LinkedHashMap<String, Object>();
        body.put("chunk", chunk);
        if (chunk.size() == limit && limit > 0) {
            body.put("next_batch", SyncToken.at(position).serialize());
        }
        request.query("from").ifPresent(token -> body.put("prev_batch", token));
        if (recurse) {
            body.put("recursion_depth", RECURSION_DEPTH);
        }
        return MatrixResponse.ok(body);
    }

    /** The event and its descendants down to {@link #RECURSION_DEPTH} - 1 levels: the parents of every level. */
    private Set<String> descendantParents(long roomNid, String eventId) {
        var all = new HashSet<String>(Set.of(eventId));
        Set<String> level = Set.of(eventId);
        for (int depth = 1; depth < RECURSION_DEPTH && !level.isEmpty(); depth++) {
            var next = new HashSet<String>();
            for (RelationStore.Relation child : relations.relationsTo(roomNid, level, null)) {
                if (all.add(child.eventId())) {
                    next.add(child.eventId());
                }
            }
            level = next;
        }
        return all;
    }

    /** GET /rooms/{roomId}/threads: thread roots the user can see, most recently active first. */
    private MatrixResponse threads(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        RoomStore.Room room = rooms.store().room(request.pathParam("roomId"))
                .orElseThrow(() -> MatrixException.forbidden("You are not in this room"));
        if (store().membership(room.roomId(), requester.userId()).isEmpty() && !reader.worldReadable(room)) {
            throw MatrixException.forbidden("You are not in this room");
        }
        String include = request.query("include").orElse("all");
        if (!include.equals("all") && !include.equals("participated")) {
            throw MatrixException.invalidParam("'include' must be all or participated");
        }
        int limit = limit(request, DEFAULT_LIMIT, MAX_LIMIT);
        long before = request.query("from").map(SyncToken::eventsPosition).orElse(Long.MAX_VALUE);
        RoomVersion version = RoomService.version(room);
        RoomReader.VisibilityCheck visibility = reader.visibility(requester.userId(), room);
        Set<String> ignored = ignoredUsers.ignoredBy(requester.userId());

        var roots = new ArrayList<ObjectNode>();
        boolean exhausted = false;
        while (roots.size() < limit && !exhausted) {
            int page = Math.max(limit - roots.size(), 20);
            List<RelationStore.ThreadRoot> candidates = relations.threadRoots(room.nid(), before, page);
            exhausted = candidates.size() < page;
            for (RelationStore.ThreadRoot candidate : candidates) {
                before = candidate.latestPos();
                StoredEvent stored = store().event(candidate.rootId())
                        .filter(e -> e.roomNid() == room.nid()).orElse(null);
                if (stored == null) {
                    continue;
                }
                RoomReader.Event root = reader.load(stored, version);
                if (ignored.contains(root.pdu().sender()) || !visibility.canSee(root)
                        || include.equals("participated") && !participated(room, root, requester.userId(), ignored)) {
                    continue;
                }
                roots.add(reader.clientEvent(root, version, requester.userId(), requester.deviceId()));
                if (roots.size() == limit) {
                    break;
                }
            }
        }
        aggregations.addTo(room, roots, requester.userId());
        var body = new LinkedHashMap<String, Object>();
        body.put("chunk", roots);
        if (roots.size() == limit && limit > 0) {
            body.put("next_batch", SyncToken.at(before).serialize());
        }
        return MatrixResponse.ok(body);
    }

    /** The user sent the root or a reply in the thread (spec: threading, current_user_participated). */
    private boolean participated(RoomStore.Room room, RoomReader.Event root, String userId, Set<String> ignored) {
        if (userId.equals(root.pdu().sender())) {
            return true;
        }
        var summary = relations.threads(room.nid(), List.of(root.pdu().eventId()), userId, ignored)
                .get(root.pdu().eventId());
        return summary != null && summary.userReplied();
    }

    private RoomStore store() {
        return rooms.store();
    }
}

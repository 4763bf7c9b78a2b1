package dev.myelin.server.space;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The space tree below a room, depth first (spec: space_hierarchy.yaml, "Spaces"): each room the user may see
 * (see {@link RoomSummaries}) with its m.space.child events, children ordered by their {@code order} then
 * timestamp then room id. Rooms this server is not in are summarised by a server of their m.space.child event's
 * {@code via} (federation), whose answer also summarises their children. Rooms the user may not see are left out
 * with their subtrees. A page token records how many rooms earlier pages returned and the fixed max_depth and
 * suggested_only.
 */
public final class SpaceHierarchy {
    public static final int MAX_DEPTH = 50;

    private final RoomService rooms;
    private final RoomSummaries summaries;
    private volatile RemoteSpaces remote;

    public SpaceHierarchy(RoomService rooms, RoomSummaries summaries) {
        this.rooms = rooms;
        this.summaries = summaries;
    }

    /** Where summaries of rooms this server is not in come from (federation); without it they are left out. */
    public void remote(RemoteSpaces remote) {
        this.remote = remote;
    }

    public record Page(List<ObjectNode> rooms, Optional<String> nextBatch) {}

    private record Pending(String roomId, int depth, List<String> via) {}

    private record Child(String roomId, String order, long ts, boolean suggested, ObjectNode stripped,
                         List<String> via) {}

    /** A room as the walk sees it: its summary, whether the user may see it, and its children. */
    private record Entry(ObjectNode summary, boolean visible, List<Child> children) {}

    public Page hierarchy(String userId, String rootId, int maxDepth, boolean suggestedOnly, int limit,
                          Optional<String> from) {
        int skip = from.map(token -> skip(token, maxDepth, suggestedOnly)).orElse(0);
        if (summaries.of(rootId).filter(summary -> summary.visibleTo(userId)).isEmpty()) {
            throw MatrixException.forbidden("You may not see this room's hierarchy");
        }
        var page = new ArrayList<ObjectNode>();
        Deque<Pending> stack = new ArrayDeque<>();
        stack.push(new Pending(rootId, 0, List.of()));
        Set<String> seen = new HashSet<>();
        Map<String, ObjectNode> remoteChildren = new HashMap<>();
        int emitted = 0;
        while (!stack.isEmpty()) {
            Pending next = stack.pop();
            if (!seen.add(next.roomId())) {
                continue;
            }
            Optional<Entry> entry = entry(next, userId, suggestedOnly, next.depth() < maxDepth, remoteChildren);
            if (entry.isEmpty() || !entry.get().visible()) {
                continue;
            }
            boolean space = "m.space".equals(entry.get().summary().path("room_type").asText());
            List<Child> children = space ? entry.get().children() : List.of();
            if (emitted >= skip) {
                if (page.size() == limit) {
                    return new Page(page, Optional.of(emitted + "_" + maxDepth + "_" + suggestedOnly));
                }
                ObjectNode rendered = entry.get().summary().deepCopy();
                ArrayNode state = rendered.putArray("children_state");
                children.forEach(child -> state.add(child.stripped()));
                page.add(rendered);
            }
            emitted++;
            if (next.depth() < maxDepth) {
                for (Child child : children.reversed()) {
                    stack.push(new Pending(child.roomId(), next.depth() + 1, child.via()));
                }
            }
        }
        return new Page(page, Optional.empty());
    }

    /**
     * The room from this server when it is in it; else from what another server said of it as a child, unless its
     * children are wanted (a space above max_depth); else from a server of its via.
     */
    private Optional<Entry> entry(Pending pending, String userId, boolean suggestedOnly, boolean wantChildren,
                                  Map<String, ObjectNode> remoteChildren) {
        Optional<RoomSummaries.Summary> local = summaries.of(pending.roomId());
        Optional<Entry> localEntry = local.map(summary -> new Entry(summary.render(), summary.visibleTo(userId),
                children(summary, suggestedOnly)));
        if (local.isPresent() && (local.get().current() || remote == null)) {
            return localEntry;
        }
        ObjectNode known = remoteChildren.get(pending.roomId());
        boolean space = known != null && "m.space".equals(known.path("room_type").asText());
        if (known != null && !(space && wantChildren) || remote == null) {
            return Optional.ofNullable(known).map(summary -> new Entry(summary,
                    summaries.remoteVisibleTo(summary, Optional.of(userId)), List.of()));
        }
        Optional<RemoteSpace> fetched = remote.hierarchy(pending.roomId(), pending.via(), suggestedOnly);
        if (fetched.isEmpty()) {
            return Optional.ofNullable(known).map(summary -> new Entry(summary,
                    summaries.remoteVisibleTo(summary, Optional.of(userId)), List.of())).or(() -> localEntry);
        }
        fetched.get().children().forEach(child -> remoteChildren.putIfAbsent(child.path("room_id").asText(), child));
        ObjectNode summary = fetched.get().room().deepCopy();
        JsonNode childrenState = summary.remove("children_state");
        Set<String> inaccessible = new HashSet<>(fetched.get().inaccessibleChildren());
        var children = new ArrayList<Child>();
        for (JsonNode stripped : childrenState) {
            if (!inaccessible.contains(stripped.path("state_key").asText())) {
                child(stripped.path("state_key").asText(), stripped.path("content"),
                        stripped.path("origin_server_ts").asLong(), (ObjectNode) stripped, suggestedOnly)
                        .ifPresent(children::add);
            }
        }
        return Optional.of(new Entry(summary, summaries.remoteVisibleTo(summary, Optional.of(userId)),
                sorted(children)));
    }

    /**
     * A summary of a room this server is not in, from the first of {@code via} that gives one (through GET
     * /hierarchy, as Synapse does for MSC3266).
     */
    public Optional<ObjectNode> remoteSummary(String roomId, List<String> via) {
        if (remote == null || via.isEmpty()) {
            return Optional.empty();
        }
        return remote.hierarchy(roomId, via, true).map(space -> {
            ObjectNode room = space.room().deepCopy();
            room.remove("children_state");
            return room;
        });
    }

    private static int skip(String token, int maxDepth, boolean suggestedOnly) {
        String[] parts = token.split("_");
        try {
            if (parts.length == 3 && Integer.parseInt(parts[1]) == maxDepth
                    && Boolean.parseBoolean(parts[2]) == suggestedOnly && Integer.parseInt(parts[0]) >= 0) {
                return Integer.parseInt(parts[0]);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw MatrixException.invalidParam("Invalid 'from', or max_depth or suggested_only changed since it");
    }

    /** The room's m.space.child events as stripped state with their timestamps, in the spec's order. */
    public List<ObjectNode> childrenState(RoomSummaries.Summary summary, boolean suggestedOnly) {
        return children(summary, suggestedOnly).stream().map(Child::stripped).toList();
    }

    private List<Child> children(RoomSummaries.Summary summary, boolean suggestedOnly) {
        RoomVersion version = RoomService.version(summary.room());
        var out = new ArrayList<Child>();
        for (StoredEvent stored : summaries.children(summary.room())) {
            Pdu pdu = rooms.pdu(stored, version);
            ObjectNode stripped = Json.MAPPER.createObjectNode();
            stripped.put("type", pdu.type());
            stripped.put("state_key", pdu.stateKey());
            stripped.put("sender", pdu.sender());
            stripped.set("content", pdu.content());
            stripped.put("origin_server_ts", pdu.originServerTs());
            child(pdu.stateKey(), pdu.content(), pdu.originServerTs(), stripped, suggestedOnly).ifPresent(out::add);
        }
        return sorted(out);
    }

    /** A child with a non-empty via (spec: "m.space.child"), unless only suggested ones are wanted and it is not. */
    private static Optional<Child> child(String roomId, JsonNode content, long ts, ObjectNode stripped,
                                         boolean suggestedOnly) {
        boolean suggested = content.path("suggested").asBoolean(false);
        var via = new ArrayList<String>();
        content.path("via").forEach(server -> {
            if (server.isTextual()) {
                via.add(server.asText());
            }
        });
        if (via.isEmpty() || suggestedOnly && !suggested) {
            return Optional.empty();
        }
        return Optional.of(new Child(roomId, validOrder(content.get("order")), ts, suggested, stripped, via));
    }

    /** Spec ("Ordering of children within a space"): by order (those without one last), then timestamp, then id. */
    private static List<Child> sorted(List<Child> children) {
        children.sort(Comparator.comparing(Child::order, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparingLong(Child::ts).thenComparing(Child::roomId));
        return children;
    }

    /** An order of at most 50 printable ASCII characters, else none (spec: m.space.child "order"). */
    private static String validOrder(JsonNode order) {
        if (order == null || !order.isTextual() || order.asText().length() > 50) {
            return null;
        }
        for (char c : order.asText().toCharArray()) {
            if (c < 0x20 || c > 0x7E) {
                return null;
            }
        }
        return order.asText();
    }
}

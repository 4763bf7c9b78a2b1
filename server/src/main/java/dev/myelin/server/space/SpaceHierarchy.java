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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The space tree below a room, depth first (spec: space_hierarchy.yaml, "Spaces"): each room the user may see
 * (see {@link RoomSummaries}) with its m.space.child events, children ordered by their {@code order} then
 * timestamp then room id. Only local rooms are known; rooms the user may not see are left out with their subtrees.
 * A page token records how many rooms earlier pages returned and the fixed max_depth and suggested_only.
 */
public final class SpaceHierarchy {
    public static final int MAX_DEPTH = 50;

    private final RoomService rooms;
    private final RoomSummaries summaries;

    public SpaceHierarchy(RoomService rooms, RoomSummaries summaries) {
        this.rooms = rooms;
        this.summaries = summaries;
    }

    public record Page(List<ObjectNode> rooms, Optional<String> nextBatch) {}

    private record Pending(String roomId, int depth) {}

    private record Child(String roomId, String order, long ts, boolean suggested, ObjectNode stripped) {}

    public Page hierarchy(String userId, String rootId, int maxDepth, boolean suggestedOnly, int limit,
                          Optional<String> from) {
        int skip = from.map(token -> skip(token, maxDepth, suggestedOnly)).orElse(0);
        RoomSummaries.Summary root = summaries.of(rootId)
                .filter(summary -> summary.visibleTo(userId))
                .orElseThrow(() -> MatrixException.forbidden("You may not see this room's hierarchy"));
        var page = new ArrayList<ObjectNode>();
        Deque<Pending> stack = new ArrayDeque<>();
        stack.push(new Pending(root.room().roomId(), 0));
        Set<String> seen = new HashSet<>();
        int emitted = 0;
        while (!stack.isEmpty()) {
            Pending next = stack.pop();
            if (!seen.add(next.roomId())) {
                continue;
            }
            Optional<RoomSummaries.Summary> summary = summaries.of(next.roomId())
                    .filter(s -> s.visibleTo(userId));
            if (summary.isEmpty()) {
                continue;
            }
            boolean space = summary.get().roomType().filter("m.space"::equals).isPresent();
            List<Child> children = space ? children(summary.get(), suggestedOnly) : List.of();
            if (emitted >= skip) {
                if (page.size() == limit) {
                    return new Page(page, Optional.of(emitted + "_" + maxDepth + "_" + suggestedOnly));
                }
                ObjectNode rendered = summary.get().render();
                ArrayNode state = rendered.putArray("children_state");
                children.forEach(child -> state.add(child.stripped()));
                page.add(rendered);
            }
            emitted++;
            if (next.depth() < maxDepth) {
                for (Child child : children.reversed()) {
                    stack.push(new Pending(child.roomId(), next.depth() + 1));
                }
            }
        }
        return new Page(page, Optional.empty());
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

    private List<Child> children(RoomSummaries.Summary summary, boolean suggestedOnly) {
        RoomVersion version = RoomService.version(summary.room());
        var out = new ArrayList<Child>();
        for (StoredEvent stored : summaries.children(summary.room())) {
            Pdu pdu = rooms.pdu(stored, version);
            JsonNode content = pdu.content();
            boolean suggested = content.path("suggested").asBoolean(false);
            if (suggestedOnly && !suggested) {
                continue;
            }
            ObjectNode stripped = Json.MAPPER.createObjectNode();
            stripped.put("type", pdu.type());
            stripped.put("state_key", pdu.stateKey());
            stripped.put("sender", pdu.sender());
            stripped.set("content", content);
            stripped.put("origin_server_ts", pdu.originServerTs());
            out.add(new Child(pdu.stateKey(), validOrder(content.get("order")), pdu.originServerTs(), suggested,
                    stripped));
        }
        // Spec ("Ordering of children within a space"): by order (those without one last), then timestamp, then id.
        out.sort(Comparator.comparing(Child::order, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparingLong(Child::ts).thenComparing(Child::roomId));
        return out;
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

package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.RelationStore;
import dev.myelin.server.storage.RelationStore.Relation;
import dev.myelin.server.storage.RelationStore.ThreadSummary;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.RoomVersion;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bundled aggregations (spec: client-server-api "Aggregations of child events"): adds {@code unsigned.m.relations}
 * to client events that are parents of m.replace, m.reference or m.thread children. Every endpoint returning room
 * events (and sync) passes its events through {@link #addTo}. State events get no aggregations (spec warning).
 */
public final class BundledAggregations {
    private static final List<String> BUNDLED = List.of("m.replace", "m.reference", "m.thread");
    private static final List<String> BUNDLED_WITHOUT_THREADS = List.of("m.replace", "m.reference");

    private final RoomService rooms;
    private final RoomReader reader;
    private final RelationStore relations;
    private final IgnoredUsers ignoredUsers;

    public BundledAggregations(RoomService rooms, RoomReader reader, RelationStore relations,
                               IgnoredUsers ignoredUsers) {
        this.rooms = rooms;
        this.reader = reader;
        this.relations = relations;
        this.ignoredUsers = ignoredUsers;
    }

    /** Adds the aggregations to client events of one room, in place, as the viewer sees them. */
    public void addTo(RoomStore.Room room, List<ObjectNode> events, String viewerUserId) {
        addTo(room, events, viewerUserId, ignoredUsers.ignoredBy(viewerUserId), true);
    }

    /** The same, with whom the viewer ignores already known (a sync covering many rooms reads it once). */
    public void addTo(RoomStore.Room room, List<ObjectNode> events, String viewerUserId, Set<String> ignored) {
        addTo(room, events, viewerUserId, ignored, true);
    }

    private void addTo(RoomStore.Room room, List<ObjectNode> events, String viewer, Set<String> ignored,
                       boolean withThreads) {
        var parents = new HashMap<String, ObjectNode>();
        for (ObjectNode event : events) {
            if (!event.has("state_key")) {
                parents.put(event.path("event_id").asText(), event);
            }
        }
        if (parents.isEmpty()) {
            return;
        }
        long roomNid = room.nid();
        RoomVersion version = RoomService.version(room);
        var bundles = new HashMap<String, ObjectNode>();
        // Most events have no children: one lookup finds the parents that do, and which queries they need.
        Map<String, Set<String>> relTypes = relations.relTypesOf(roomNid, parents.keySet(),
                withThreads ? BUNDLED : BUNDLED_WITHOUT_THREADS);
        if (relTypes.isEmpty()) {
            return;
        }

        Map<String, List<Relation>> edits = byParent(relations.relationsTo(roomNid,
                parentsWith(relTypes, "m.replace"), "m.replace"));
        var latestEdits = new ArrayList<ObjectNode>();
        edits.forEach((parentId, candidates) -> {
            ObjectNode edit = latestValidEdit(parents.get(parentId), candidates, version, viewer);
            if (edit != null) {
                bundle(bundles, parentId).set("m.replace", edit);
                latestEdits.add(edit);
            }
        });

        byParent(relations.relationsTo(roomNid, parentsWith(relTypes, "m.reference"), "m.reference"))
                .forEach((parentId, refs) -> {
                    var chunk = Json.MAPPER.createArrayNode();
                    refs.stream().filter(ref -> !ignored.contains(ref.sender()))
                            .forEach(ref -> chunk.addObject().put("event_id", ref.eventId()));
                    if (!chunk.isEmpty()) {
                        bundle(bundles, parentId).putObject("m.reference").set("chunk", chunk);
                    }
                });

        if (withThreads) {
            var latestEvents = new ArrayList<ObjectNode>();
            for (ThreadSummary thread : relations.threads(roomNid, parentsWith(relTypes, "m.thread"), viewer,
                    ignored).values()) {
                ObjectNode root = parents.get(thread.rootId());
                ObjectNode latest = rooms.store().event(thread.latestEventId())
                        .map(stored -> reader.clientEvent(reader.load(stored, version), version))
                        .orElse(null);
                if (latest == null) {
                    continue;
                }
                latestEvents.add(latest);
                ObjectNode summary = bundle(bundles, thread.rootId()).putObject("m.thread");
                summary.set("latest_event", latest);
                summary.put("count", thread.count());
                summary.put("current_user_participated",
                        thread.userReplied() || viewer.equals(root.path("sender").asText()));
            }
            // The latest event of a thread carries its own aggregations (its edits); threads cannot nest.
            addTo(room, latestEvents, viewer, ignored, false);
        }

        bundles.forEach((parentId, bundle) -> {
            ObjectNode parent = parents.get(parentId);
            ObjectNode unsigned = parent.get("unsigned") instanceof ObjectNode existing ? existing
                    : parent.putObject("unsigned");
            unsigned.set("m.relations", bundle);
        });
    }

    private static List<String> parentsWith(Map<String, Set<String>> relTypes, String relType) {
        return relTypes.entrySet().stream().filter(entry -> entry.getValue().contains(relType))
                .map(Map.Entry::getKey).toList();
    }

    private static Map<String, List<Relation>> byParent(List<Relation> list) {
        var map = new HashMap<String, List<Relation>>();
        for (Relation relation : list) {
            map.computeIfAbsent(relation.parentId(), k -> new ArrayList<>()).add(relation);
        }
        return map;
    }

    private static ObjectNode bundle(Map<String, ObjectNode> bundles, String parentId) {
        return bundles.computeIfAbsent(parentId, k -> Json.MAPPER.createObjectNode());
    }

    /**
     * The most recent valid replacement (spec: "Validity of replacement events", most recent by origin_server_ts
     * then event id), or null. A redacted original gets none; an edit of an edit is not valid.
     */
    private ObjectNode latestValidEdit(ObjectNode original, List<Relation> candidates, RoomVersion version,
                                       String viewer) {
        if (original.path("unsigned").has("redacted_because")
                || "m.replace".equals(original.path("content").path("m.relates_to").path("rel_type").asText())) {
            return null;
        }
        String sender = original.path("sender").asText();
        String type = original.path("type").asText();
        List<Relation> ordered = candidates.stream()
                .filter(edit -> edit.sender().equals(sender) && edit.eventType().equals(type))
                .sorted(Comparator.comparingLong(Relation::originServerTs).thenComparing(Relation::eventId)
                        .reversed())
                .toList();
        for (Relation candidate : ordered) {
            RoomStore.StoredEvent stored = rooms.store().event(candidate.eventId()).orElse(null);
            if (stored == null || stored.redactedBy() != null) {
                continue;
            }
            RoomReader.Event edit = reader.load(stored, version);
            if (edit.pdu().isState()) {
                continue;
            }
            // An encrypted edit carries m.new_content inside its ciphertext, which the server cannot check.
            JsonNode newContent = edit.pdu().content().get("m.new_content");
            if ("m.room.encrypted".equals(type) || newContent != null && newContent.isObject()) {
                return reader.clientEvent(edit, version, viewer, null);
            }
        }
        return null;
    }
}

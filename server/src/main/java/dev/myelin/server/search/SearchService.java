package dev.myelin.server.search;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.storage.SearchStore;
import dev.myelin.server.storage.SearchStore.Hit;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Server-side search of room events (spec: client-server-api "Server Side Search", search.yaml): full-text matches
 * in the rooms the user is or was joined to, each checked against history visibility and the filter, in rank or
 * recency order, with optional context, state and groupings. Pages continue with {@code next_batch}: "r" and the
 * event nid below which to continue (order recent), or "k" and how many ranked matches were consumed.
 */
public final class SearchService {
    private final RoomService rooms;
    private final RoomReader reader;
    private final RoomStore roomStore;
    private final SearchStore store;

    public SearchService(RoomService rooms, RoomReader reader, SearchStore store) {
        this.rooms = rooms;
        this.reader = reader;
        this.roomStore = rooms.store();
        this.store = store;
    }

    /** The {@code room_events} result object. */
    public ObjectNode searchRoomEvents(String userId, String deviceId, SearchRequest request,
                                       Optional<String> nextBatch) {
        Map<String, String> memberships = new HashMap<>();
        Map<Long, RoomStore.Room> searchable = searchableRooms(userId, request, memberships);
        long before = 0;
        int skip = 0;
        if (nextBatch.isPresent()) {
            String token = nextBatch.get();
            try {
                if (token.startsWith("r") && request.order() == SearchStore.Order.RECENT) {
                    before = Long.parseLong(token.substring(1));
                } else if (token.startsWith("k") && request.order() == SearchStore.Order.RANK) {
                    skip = Integer.parseInt(token.substring(1));
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("Invalid next_batch");
            }
        }
        var visibilities = new HashMap<Long, RoomReader.VisibilityCheck>();
        var results = new ArrayList<Found>();
        int batch = Math.min(request.limit() * 2 + 10, 500);
        boolean more = true;
        long count = -1;
        while (results.size() < request.limit() && more && !searchable.isEmpty()) {
            SearchStore.Page page = store.search(searchable.keySet(), request.keys(), request.term(),
                    request.order(), before, skip, batch);
            if (count < 0) {
                count = page.count();
            }
            List<Hit> hits = page.hits();
            more = hits.size() == batch;
            Map<Long, StoredEvent> events = roomStore.events(hits.stream().map(Hit::eventNid).toList());
            for (Hit hit : hits) {
                if (results.size() == request.limit()) {
                    more = true;
                    break;
                }
                before = hit.eventNid();
                skip++;
                RoomStore.Room room = searchable.get(hit.roomNid());
                StoredEvent stored = events.get(hit.eventNid());
                if (stored == null || stored.redactedBy() != null) {
                    continue;
                }
                RoomReader.Event event = reader.load(stored, RoomService.version(room));
                var visibility = visibilities.computeIfAbsent(room.nid(),
                        nid -> reader.visibility(userId, room, memberships.get(room.roomId())));
                if (request.filter().test(event.pdu()) && visibility.canSee(event)) {
                    results.add(new Found(hit, room, event));
                }
            }
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("count", Math.max(count, 0));
        ArrayNode highlights = out.putArray("highlights");
        new LinkedHashSet<>(List.of(request.term().toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")))
                .stream().filter(word -> !word.isEmpty()).forEach(highlights::add);
        ArrayNode rendered = out.putArray("results");
        for (Found found : results) {
            ObjectNode result = rendered.addObject();
            result.put("rank", found.hit().rank());
            RoomVersion version = RoomService.version(found.room());
            result.set("result", reader.clientEvent(found.event(), version, userId, deviceId));
            if (request.context()) {
                result.set("context", context(userId, deviceId, found, request, visibilities.get(found.room().nid())));
            }
        }
        String next = more ? (request.order() == SearchStore.Order.RECENT ? "r" + before : "k" + skip) : null;
        if (next != null) {
            out.put("next_batch", next);
        }
        if (request.includeState()) {
            ObjectNode state = out.putObject("state");
            for (Found found : results) {
                if (!state.has(found.room().roomId())) {
                    state.set(found.room().roomId(), state(userId, found.room()));
                }
            }
        }
        if (!request.groupBy().isEmpty()) {
            ObjectNode groups = out.putObject("groups");
            for (String key : request.groupBy()) {
                groups.set(key, group(results, key, next));
            }
        }
        return out;
    }

    private record Found(Hit hit, RoomStore.Room room, RoomReader.Event event) {}

    /**
     * Rooms the user is joined to or left (after being in), restricted by the filter's rooms and not_rooms; their
     * memberships by room id go to {@code memberships}.
     */
    private Map<Long, RoomStore.Room> searchableRooms(String userId, SearchRequest request,
                                                      Map<String, String> memberships) {
        var roomIds = new ArrayList<String>();
        for (RoomStore.Membership membership : roomStore.membershipsOf(userId)) {
            boolean joined = "join".equals(membership.membership());
            boolean left = ("leave".equals(membership.membership()) || "ban".equals(membership.membership()))
                    && !membership.forgotten();
            if (!joined && !left) {
                continue;
            }
            if (request.notRooms().contains(membership.roomId())
                    || request.rooms().map(rooms -> !rooms.contains(membership.roomId())).orElse(false)) {
                continue;
            }
            roomIds.add(membership.roomId());
            memberships.put(membership.roomId(), membership.membership());
        }
        var out = new LinkedHashMap<Long, RoomStore.Room>();
        roomStore.rooms(roomIds).values().forEach(room -> out.put(room.nid(), room));
        return out;
    }

    private ObjectNode context(String userId, String deviceId, Found found, SearchRequest request,
                               RoomReader.VisibilityCheck visibility) {
        RoomStore.Room room = found.room();
        RoomVersion version = RoomService.version(room);
        StoredEvent stored = found.event().stored();
        ObjectNode context = Json.MAPPER.createObjectNode();
        ArrayNode before = context.putArray("events_before");
        var senders = new LinkedHashSet<String>();
        senders.add(found.event().pdu().sender());
        long start = stored.streamPos() - 1;
        for (StoredEvent e : roomStore.timeline(room.nid(), stored.streamPos() - 1, 0, true,
                request.beforeLimit() * 2 + 5)) {
            if (before.size() >= request.beforeLimit()) {
                break;
            }
            start = e.streamPos() - 1;
            RoomReader.Event event = reader.load(e, version);
            if (visibility.canSee(event)) {
                before.add(reader.clientEvent(event, version, userId, deviceId));
                senders.add(event.pdu().sender());
            }
        }
        ArrayNode after = context.putArray("events_after");
        long end = stored.streamPos();
        for (StoredEvent e : roomStore.timeline(room.nid(), stored.streamPos(), Long.MAX_VALUE, false,
                request.afterLimit() * 2 + 5)) {
            if (after.size() >= request.afterLimit()) {
                break;
            }
            end = e.streamPos();
            RoomReader.Event event = reader.load(e, version);
            if (visibility.canSee(event)) {
                after.add(reader.clientEvent(event, version, userId, deviceId));
                senders.add(event.pdu().sender());
            }
        }
        context.put("start", "s" + start);
        context.put("end", "s" + end);
        if (request.includeProfile()) {
            ObjectNode profiles = context.putObject("profile_info");
            var keys = senders.stream().map(sender -> new StateKey("m.room.member", sender)).toList();
            roomStore.state(stored.stateBefore(), keys).forEach((key, member) -> {
                ObjectNode content = rooms.pdu(member, version).content();
                ObjectNode profile = profiles.putObject(key.stateKey());
                if (content.path("displayname").isTextual()) {
                    profile.set("displayname", content.get("displayname"));
                }
                if (content.path("avatar_url").isTextual()) {
                    profile.set("avatar_url", content.get("avatar_url"));
                }
            });
        }
        return context;
    }

    private ArrayNode state(String userId, RoomStore.Room room) {
        ArrayNode events = Json.MAPPER.createArrayNode();
        RoomVersion version = RoomService.version(room);
        long snapshot;
        try {
            snapshot = reader.readableSnapshot(userId, room);
        } catch (MatrixException notReadable) {
            return events;
        }
        for (StoredEvent event : roomStore.state(snapshot).values()) {
            events.add(reader.clientEvent(reader.load(event, version), version));
        }
        return events;
    }

    private static ObjectNode group(List<Found> results, String key, String next) {
        ObjectNode group = Json.MAPPER.createObjectNode();
        int order = 0;
        for (Found found : results) {
            String value = key.equals("room_id") ? found.room().roomId() : found.event().pdu().sender();
            ObjectNode entry = (ObjectNode) group.get(value);
            if (entry == null) {
                entry = group.putObject(value);
                entry.put("order", order++);
                entry.putArray("results");
                if (next != null) {
                    entry.put("next_batch", next);
                }
            }
            ((ArrayNode) entry.get("results")).add(found.event().pdu().eventId());
        }
        return group;
    }
}

package dev.myelin.server.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.BundledAggregations;
import dev.myelin.server.room.IgnoredUsers;
import dev.myelin.server.room.InviteBlocking;
import dev.myelin.server.room.RecentEvents;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.Membership;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.sync.filter.EventFilter;
import dev.myelin.server.sync.filter.Filter;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code rooms} part of a sync (spec: client-server-api {@code GET /sync}): for each room whose membership or
 * events changed in {@code (since, upTo]}, its joined, invited, knocked or left section.
 */
final class RoomSections {
    static final int DEFAULT_TIMELINE_LIMIT = 10;
    private static final int MAX_TIMELINE_LIMIT = 100;
    private static final String MEMBER = "m.room.member";

    private final RoomService rooms;
    private final RoomStore store;
    private final RoomReader reader;
    private final StrippedState strippedState;
    private final BundledAggregations aggregations;
    private final IgnoredUsers ignoredUsers;
    private final InviteBlocking inviteBlocking;

    RoomSections(RoomService rooms, RoomReader reader, BundledAggregations aggregations, IgnoredUsers ignoredUsers,
                 InviteBlocking inviteBlocking) {
        this.inviteBlocking = inviteBlocking;
        this.rooms = rooms;
        this.store = rooms.store();
        this.reader = reader;
        this.strippedState = new StrippedState(rooms);
        this.aggregations = aggregations;
        this.ignoredUsers = ignoredUsers;
    }

    /**
     * What the rooms part found: the rooms joined at the end, those joined in this window, the sections, and every
     * room the user has a membership in (to listen on).
     */
    record Result(Set<String> joined, Set<String> newlyJoined, ObjectNode invite, ObjectNode leave,
                  ObjectNode knock, Set<String> memberOf) {}

    Result build(SyncRequest request, long since, long upTo, SyncResponse response) {
        Filter filter = request.filter();
        Set<String> changed = request.initial() ? null
                : since < upTo ? store.roomsWithEventsBetween(since, upTo) : Set.of();
        var joined = new HashSet<String>();
        var memberOf = new HashSet<String>();
        var newlyJoined = new HashSet<String>();
        ObjectNode invite = Json.MAPPER.createObjectNode();
        ObjectNode leave = Json.MAPPER.createObjectNode();
        ObjectNode knock = Json.MAPPER.createObjectNode();
        Set<String> ignored = ignoredUsers.ignoredBy(request.userId());
        Boolean invitesBlocked = null; // read once, at the first invite
        for (Membership membership : store.membershipsOf(request.userId())) {
            memberOf.add(membership.roomId());
            if (membership.streamPos() > upTo) {
                continue; // changed after this sync's snapshot of the events stream: the next sync sends it
            }
            String roomId = membership.roomId();
            boolean allowed = filter.room().allowsRoom(roomId);
            if ("join".equals(membership.membership())) {
                joined.add(roomId);
            }
            boolean changedInWindow = changed == null || changed.contains(roomId);
            if (!changedInWindow || !allowed || membership.forgotten()) {
                continue;
            }
            boolean membershipInWindow = request.initial() || membership.streamPos() > since;
            RoomStore.Room room = store.room(roomId).orElseThrow();
            // Read only where needed: a joined room's pass needs it only when the join is in the window.
            Supplier<StoredEvent> memberEvent =
                    () -> store.event(membership.eventNid()).orElseThrow();
            switch (membership.membership()) {
                case "join" -> {
                    boolean fresh = request.since().isEmpty()
                            || membershipInWindow && !"join".equals(previousMembership(room, memberEvent.get()));
                    if (fresh) {
                        newlyJoined.add(roomId);
                    }
                    ObjectNode section = joinedRoom(request, ignored, room, membership,
                            fresh || request.fullState(), fresh ? 0 : since, upTo);
                    if (section != null) {
                        response.joinedRoom(roomId).setAll(section);
                    }
                }
                case "invite" -> {
                    // Spec (invite permission, v1.18): a user who blocks invites is not served them over /sync.
                    if (invitesBlocked == null) {
                        invitesBlocked = inviteBlocking.blocksInvites(request.userId());
                    }
                    if (membershipInWindow && !invitesBlocked) {
                        invite.putObject(roomId).putObject("invite_state")
                                .set("events", strippedState.of(room, memberEvent.get()));
                    }
                }
                case "knock" -> {
                    if (membershipInWindow) {
                        knock.putObject(roomId).putObject("knock_state")
                                .set("events", strippedState.of(room, memberEvent.get()));
                    }
                }
                default -> { // leave, ban
                    boolean include = request.since().isPresent() ? membership.streamPos() > since
                            : filter.room().includeLeave();
                    if (include) {
                        ObjectNode section = leave.putObject(roomId);
                        leftRoom(request, ignored, room, membership, request.since().isEmpty() ? 0 : since,
                                memberEvent.get(), section);
                    }
                }
            }
        }
        return new Result(joined, newlyJoined, invite, leave, knock, memberOf);
    }

    /**
     * The rooms part from events held in memory: the joined rooms' timelines of {@code window}, the events after
     * the sync's token up to its last position, or null when that would not be exactly what {@link #build} answers.
     * It is exact when the user was joined to each room over the whole window (the rooms of {@code known}, read
     * at or after the token and at or before the window's end, with no membership change of the user in the
     * window): every event is then visible to them (spec: "History visibility"), nothing moved into or out of the
     * invite, leave and knock sections, and no state, summary or newly joined room is due. A window that needs more
     * than a timeline of new events falls back: a state event (the state and summary sections), a gap ({@code
     * limited}, the state at its start), a redaction (it changes an earlier event), a relation (bundled
     * aggregations), a rejected or soft-failed event, or lazy-loaded members (the senders' member events).
     */
    Result fromMemory(SyncRequest request, RoomsOfUsers.Known known, List<RecentEvents.Batch> window,
                      SyncResponse response) {
        Filter filter = request.filter();
        if (filter.room().state().lazyLoadMembers()) {
            return null;
        }
        var newEvents = new LinkedHashMap<String, List<RoomReader.Event>>();
        var versions = new HashMap<String, RoomVersion>();
        for (RecentEvents.Batch batch : window) {
            String roomId = batch.room().roomId();
            boolean timeline = known.joined().contains(roomId) && filter.room().allowsRoom(roomId);
            RoomVersion version = RoomService.version(batch.room());
            for (StoredEvent stored : batch.events()) {
                RoomReader.Event event = reader.load(stored, version);
                Pdu pdu = event.pdu();
                if (MEMBER.equals(pdu.type()) && request.userId().equals(pdu.stateKey())) {
                    return null;
                }
                if (!timeline) {
                    continue; // a room the user is invited to, knocked on or left: no section without their change
                }
                if (pdu.isState() || "m.room.redaction".equals(pdu.type()) || pdu.content().has("m.relates_to")
                        || stored.rejected() || stored.softFailed() || stored.outlier()) {
                    return null;
                }
                newEvents.computeIfAbsent(roomId, _ -> new ArrayList<>()).add(event);
                versions.put(roomId, version);
            }
        }
        EventFilter timelineFilter = filter.room().timeline();
        int limit = Math.min(timelineFilter.limitOr(DEFAULT_TIMELINE_LIMIT), MAX_TIMELINE_LIMIT);
        // No one ignores themselves: the sender's own echo needs no read of whom they ignore.
        boolean othersSent = newEvents.values().stream().flatMap(List::stream)
                .anyMatch(event -> !event.pdu().sender().equals(request.userId()));
        Set<String> ignored = othersSent ? ignoredUsers.ignoredBy(request.userId()) : Set.of();
        for (Map.Entry<String, List<RoomReader.Event>> room : newEvents.entrySet()) {
            var picked = new ArrayList<RoomReader.Event>();
            for (RoomReader.Event event : room.getValue()) {
                if (!ignored.contains(event.pdu().sender()) && timelineFilter.matches(event.pdu().json())) {
                    picked.add(event);
                }
            }
            if (picked.size() > limit) {
                return null;
            }
            if (picked.isEmpty()) {
                continue;
            }
            RoomVersion version = versions.get(room.getKey());
            ArrayNode timelineEvents = Json.MAPPER.createArrayNode();
            for (RoomReader.Event event : picked) {
                timelineEvents.add(format(request, event, version));
            }
            ObjectNode section = response.joinedRoom(room.getKey());
            ObjectNode timelineJson = section.putObject("timeline");
            timelineJson.set("events", timelineEvents);
            timelineJson.put("limited", false);
            timelineJson.put("prev_batch", SyncToken.at(picked.getFirst().stored().streamPos() - 1).serialize());
            section.putObject(stateField(request)).putArray("events");
        }
        ObjectNode none = Json.MAPPER.createObjectNode();
        return new Result(known.joined(), Set.of(), none, none.deepCopy(), none.deepCopy(), known.roomIds());
    }

    /** The room's section, or null when nothing changed in it (contributors may still add to it). */
    private ObjectNode joinedRoom(SyncRequest request, Set<String> ignored, RoomStore.Room room,
                                  Membership membership, boolean fullState, long since, long upTo) {
        ObjectNode section = Json.MAPPER.createObjectNode();
        RoomVersion version = RoomService.version(room);
        RoomTimeline timeline = timeline(request, ignored, room, membership, version, since, upTo);
        fillRoom(request, ignored, room, version, timeline, fullState, () -> snapshotAt(room, since), section);
        ObjectNode summary = summary(request, room, version, timeline, fullState);
        if (summary != null) {
            section.set("summary", summary);
        }
        boolean unchanged = timeline.events().isEmpty() && !fullState
                && section.path(stateField(request)).path("events").isEmpty() && summary == null;
        return unchanged ? null : section;
    }

    private void leftRoom(SyncRequest request, Set<String> ignored, RoomStore.Room room, Membership membership,
                          long since, StoredEvent leaveEvent, ObjectNode section) {
        RoomVersion version = RoomService.version(room);
        RoomTimeline timeline = timeline(request, ignored, room, membership, version, since, leaveEvent.streamPos());
        boolean fullState = since == 0 || request.fullState();
        fillRoom(request, ignored, room, version, timeline, fullState, () -> snapshotAt(room, since), section);
        section.putObject("account_data").putArray("events");
    }

    /** {@code membership}: the user's current one, read with the rest of this sync, which the check needs too. */
    private RoomTimeline timeline(SyncRequest request, Set<String> ignored, RoomStore.Room room,
                                  Membership membership, RoomVersion version, long since, long upTo) {
        EventFilter filter = request.filter().room().timeline();
        int limit = Math.min(filter.limitOr(DEFAULT_TIMELINE_LIMIT), MAX_TIMELINE_LIMIT);
        RoomReader.VisibilityCheck visibility = reader.visibility(request.userId(), room, membership.membership());
        return RoomTimeline.read(store, reader, visibility, room, version, filter, ignored, since, upTo, limit);
    }

    /** {@code sinceSnapshot}: the state at the sync's {@code since}, read only when a state difference needs it. */
    private void fillRoom(SyncRequest request, Set<String> ignored, RoomStore.Room room, RoomVersion version,
                          RoomTimeline timeline, boolean fullState, LongSupplier sinceSnapshot,
                          ObjectNode section) {
        var formatted = new ArrayList<ObjectNode>();
        for (RoomReader.Event event : timeline.events()) {
            formatted.add(unprojected(request, event, version));
        }
        if (!"federation".equals(request.filter().eventFormat())) {
            aggregations.addTo(room, formatted, request.userId(), ignored);
        }
        ArrayNode timelineEvents = Json.MAPPER.createArrayNode();
        formatted.forEach(event -> timelineEvents.add(request.filter().project(event)));
        ObjectNode timelineJson = section.putObject("timeline");
        timelineJson.set("events", timelineEvents);
        timelineJson.put("limited", timeline.limited());
        timelineJson.put("prev_batch", SyncToken.at(timeline.prevBatch()).serialize());

        long startSnapshot = timeline.events().isEmpty() ? snapshotAt(room, timeline.prevBatch())
                : timeline.events().getFirst().stored().stateBefore();
        long endSnapshot = timeline.events().isEmpty() ? startSnapshot
                : snapshotAfter(timeline.events().getLast().stored());
        Map<StateKey, StoredEvent> state;
        if (request.useStateAfter()) {
            state = fullState ? store.state(endSnapshot) : difference(sinceSnapshot.getAsLong(), endSnapshot);
        } else if (fullState) {
            state = store.state(startSnapshot);
        } else if (timeline.limited()) {
            state = difference(sinceSnapshot.getAsLong(), startSnapshot);
        } else {
            state = Map.of();
        }
        state = lazyLoad(request, room, timeline, fullState, state, startSnapshot, endSnapshot);
        ArrayNode stateEvents = Json.MAPPER.createArrayNode();
        EventFilter stateFilter = request.filter().room().state();
        Set<String> inTimeline = new HashSet<>();
        timeline.events().forEach(event -> inTimeline.add(event.pdu().eventId()));
        for (StoredEvent stored : state.values()) {
            if (!request.useStateAfter() && inTimeline.contains(stored.eventId())) {
                continue;
            }
            RoomReader.Event event = reader.load(stored, version);
            if (stateFilter.matches(event.pdu().json())) {
                stateEvents.add(format(request, event, version));
            }
        }
        section.putObject(stateField(request)).set("events", stateEvents);
    }

    /**
     * With {@code lazy_load_members}, member events only for the timeline's senders and the syncing user (spec:
     * client-server-api "Lazy-loading room members"); member changes in a gap are kept whatever the filter says.
     */
    private Map<StateKey, StoredEvent> lazyLoad(SyncRequest request, RoomStore.Room room, RoomTimeline timeline,
                                                boolean fullState, Map<StateKey, StoredEvent> state,
                                                long startSnapshot, long endSnapshot) {
        if (!request.filter().room().state().lazyLoadMembers()) {
            return state;
        }
        var needed = new HashSet<StateKey>();
        for (RoomReader.Event event : timeline.events()) {
            needed.add(new StateKey(MEMBER, event.pdu().sender()));
        }
        if (fullState) {
            needed.add(new StateKey(MEMBER, request.userId()));
        }
        var out = new LinkedHashMap<StateKey, StoredEvent>();
        state.forEach((key, event) -> {
            if (!MEMBER.equals(key.type()) || !fullState || needed.contains(key)) {
                out.put(key, event);
            }
        });
        long snapshot = request.useStateAfter() ? endSnapshot : startSnapshot;
        if (!needed.isEmpty()) {
            store.state(snapshot, needed).forEach(out::putIfAbsent);
        }
        return out;
    }

    /** The state entries of {@code to} that differ from {@code from}: what a client that had {@code from} lacks. */
    private Map<StateKey, StoredEvent> difference(long from, long to) {
        if (from == to) {
            return Map.of();
        }
        Map<StateKey, StoredEvent> before = from == 0 ? Map.of() : store.state(from);
        var out = new LinkedHashMap<StateKey, StoredEvent>();
        store.state(to).forEach((key, event) -> {
            StoredEvent old = before.get(key);
            if (old == null || !old.eventId().equals(event.eventId())) {
                out.put(key, event);
            }
        });
        return out;
    }

    /** The room's state after its last accepted event at or before {@code position} (0 when none). */
    private long snapshotAt(RoomStore.Room room, long position) {
        List<StoredEvent> last = store.timeline(room.nid(), position, 0, true, 1);
        return last.isEmpty() ? 0 : snapshotAfter(last.getFirst());
    }

    private static long snapshotAfter(StoredEvent event) {
        return event.stateAfter() != 0 ? event.stateAfter() : event.stateBefore();
    }

    private String previousMembership(RoomStore.Room room, StoredEvent memberEvent) {
        Pdu pdu = rooms.pdu(memberEvent, RoomService.version(room));
        StateKey key = new StateKey(MEMBER, pdu.stateKey());
        StoredEvent before = store.state(memberEvent.stateBefore(), List.of(key)).get(key);
        return before == null ? "leave"
                : rooms.pdu(before, RoomService.version(room)).content().path("membership").asText("leave");
    }

    /**
     * The room summary (heroes, joined and invited counts), sent on a full-state sync and whenever membership
     * changed in the timeline.
     */
    private ObjectNode summary(SyncRequest request, RoomStore.Room room, RoomVersion version, RoomTimeline timeline,
                               boolean fullState) {
        boolean membershipChanged = timeline.events().stream().anyMatch(e -> MEMBER.equals(e.pdu().type()));
        if (!fullState && !membershipChanged) {
            return null;
        }
        List<Membership> joinedMembers = store.members(room.roomId(), "join");
        List<Membership> invitedMembers = store.members(room.roomId(), "invite");
        ObjectNode summary = Json.MAPPER.createObjectNode();
        Map<StateKey, StoredEvent> naming = store.state(room.currentSnapshot(),
                List.of(new StateKey("m.room.name", ""), new StateKey("m.room.canonical_alias", "")));
        boolean named = naming.values().stream().map(e -> rooms.pdu(e, version).content())
                .anyMatch(content -> !content.path("name").asText("").isEmpty()
                        || !content.path("alias").asText("").isEmpty());
        if (!named) {
            ArrayNode heroes = summary.putArray("m.heroes");
            var candidates = new ArrayList<Membership>(joinedMembers);
            candidates.addAll(invitedMembers);
            if (candidates.stream().allMatch(m -> m.userId().equals(request.userId()))) {
                candidates.addAll(store.members(room.roomId(), "leave"));
                candidates.addAll(store.members(room.roomId(), "ban"));
            }
            candidates.stream().sorted(java.util.Comparator.comparingLong(Membership::streamPos))
                    .map(Membership::userId).filter(user -> !user.equals(request.userId())).distinct().limit(5)
                    .forEach(heroes::add);
        }
        summary.put("m.joined_member_count", joinedMembers.size());
        summary.put("m.invited_member_count", invitedMembers.size());
        return summary;
    }

    private ObjectNode format(SyncRequest request, RoomReader.Event event, RoomVersion version) {
        return request.filter().project(unprojected(request, event, version));
    }

    private ObjectNode unprojected(SyncRequest request, RoomReader.Event event, RoomVersion version) {
        ObjectNode json = "federation".equals(request.filter().eventFormat()) ? event.pdu().json().deepCopy()
                : reader.clientEvent(event, version, request.userId(), request.deviceId());
        if ("federation".equals(request.filter().eventFormat()) && event.stored().redactedBy() != null) {
            json = dev.myelin.spec.event.Redactor.redact(json, version);
        }
        return json;
    }

    private static String stateField(SyncRequest request) {
        return request.useStateAfter() ? "state_after" : "state";
    }
}

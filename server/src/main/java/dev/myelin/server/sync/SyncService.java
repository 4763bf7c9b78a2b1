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
import dev.myelin.server.storage.ReadsTogether;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.filter.EventFilter;
import dev.myelin.server.sync.filter.Filter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Answers {@code /sync} (spec: client-server-api "Syncing"): the rooms part from the events stream, then every
 * registered {@link SyncContributor} and {@link RoomDecorator}. An incremental sync with nothing new waits on the
 * notifier, listening on the user and their rooms, until something arrives or the timeout ends. Features register
 * their contributors while the homeserver is wired, before it serves requests.
 */
public final class SyncService {
    /** Longest long-poll served; clients ask for 30 s. */
    static final long MAX_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(3);
    /** Users whose rooms are remembered between a sync and the next (a set of room ids each). */
    private static final int ROOMS_OF_USERS_REMEMBERED = 20_000;

    private final List<SyncContributor> contributors = new CopyOnWriteArrayList<>();
    private final List<RoomDecorator> decorators = new CopyOnWriteArrayList<>();
    private final List<SyncActivity> activities = new CopyOnWriteArrayList<>();
    private final RoomStore store;
    private final RoomSections roomSections;
    private final InProcessNotifier notifier;
    private final ReadsTogether reads;
    private final RoomsOfUsers roomsOfUsers = new RoomsOfUsers(ROOMS_OF_USERS_REMEMBERED);
    private final RecentEvents recentEvents;
    private final LongAdder passesFromMemory = new LongAdder();

    public SyncService(RoomService rooms, RoomReader reader, BundledAggregations aggregations,
                       IgnoredUsers ignoredUsers, InviteBlocking inviteBlocking, InProcessNotifier notifier,
                       RecentEvents recentEvents, ReadsTogether reads) {
        this.reads = reads;
        this.store = rooms.store();
        this.roomSections = new RoomSections(rooms, reader, aggregations, ignoredUsers, inviteBlocking);
        this.notifier = notifier;
        this.recentEvents = recentEvents;
        notifier.startsAt(SqlRoomStore.EVENTS, store.currentStreamPos());
    }

    public void register(SyncContributor contributor) {
        for (SyncContributor existing : contributors) {
            if (existing.stream().equals(contributor.stream())) {
                throw new IllegalArgumentException("two sync contributors for stream " + contributor.stream());
            }
        }
        contributors.add(contributor);
        notifier.startsAt(contributor.stream(), contributor.currentPosition());
    }

    public void register(RoomDecorator decorator) {
        decorators.add(decorator);
    }

    public void register(SyncActivity activity) {
        activities.add(activity);
    }

    public ObjectNode sync(SyncRequest request) throws InterruptedException {
        var sessions = new ArrayList<SyncActivity.Session>();
        try {
            for (SyncActivity activity : activities) {
                sessions.add(activity.started(request.userId(), request.setPresence()));
            }
            return syncNow(request);
        } finally {
            sessions.forEach(SyncActivity.Session::close);
        }
    }

    private ObjectNode syncNow(SyncRequest request) throws InterruptedException {
        long timeout = Math.min(Math.max(request.timeoutMillis(), 0), MAX_TIMEOUT_MILLIS);
        if (request.initial() || timeout == 0) {
            return compute(request).json();
        }
        SyncToken since = request.since().orElseThrow();
        var keys = new ArrayList<String>();
        keys.add(request.userId());
        RoomsOfUsers.Known known = roomsOfUsers.asOf(request.userId(), since.events());
        if (known != null) {
            keys.addAll(known.roomIds());
        } else {
            store.membershipsOf(request.userId()).forEach(membership -> keys.add(membership.roomId()));
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
        try (InProcessNotifier.Listener listener = notifier.listen(keys)) {
            while (true) {
                // The listener was registered before these reads, so a change committed after them still wakes it.
                boolean timedOut = System.nanoTime() >= deadline;
                if (timedOut || anythingNewFor(listener, since)) {
                    Computed computed = fromMemory(request, listener);
                    if (computed == null) {
                        computed = compute(request);
                    }
                    if (computed.hasContent() || timedOut) {
                        return computed.json();
                    }
                }
                listener.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        }
    }

    /**
     * Whether a pass from {@code since} may find something: false when every stream is still at the token's
     * position, or moved only with changes announced to others. A long-poll that arrives with the {@code next_batch}
     * of its previous answer then waits without computing a pass that would find nothing; with many active rooms
     * the shared events stream moves between nearly every two requests, for changes that concern other users.
     */
    private boolean anythingNewFor(InProcessNotifier.Listener listener, SyncToken since) {
        if (announcedUpTo(SqlRoomStore.EVENTS, since.events()) && contributors.stream()
                .allMatch(contributor -> announcedUpTo(contributor.stream(), since.position(contributor.stream())))) {
            // No token is ahead of its stream, so what the listener heard decides without reading the positions.
            return !listener.heardNothingAfter(SqlRoomStore.EVENTS, since.events()) || contributors.stream()
                    .anyMatch(contributor -> !listener.heardNothingAfter(contributor.stream(),
                            since.position(contributor.stream())));
        }
        return reads.readingTogether(() -> {
            if (moved(SqlRoomStore.EVENTS, since.events(), store.currentStreamPos(), listener)) {
                return true;
            }
            for (SyncContributor contributor : contributors) {
                StreamName stream = contributor.stream();
                if (moved(stream, since.position(stream), contributor.currentPosition(), listener)) {
                    return true;
                }
            }
            return false;
        });
    }

    /**
     * Whether this process announced the stream at or past {@code token} (or started there): writers announce after
     * their commit, so the stream is at least there and the token is not ahead of it.
     */
    private boolean announcedUpTo(StreamName stream, long token) {
        return notifier.reached(stream, token);
    }

    /** A token ahead of the stream (after a reset, or an in-memory stream after a restart) counts as moved. */
    private static boolean moved(StreamName stream, long token, long current, InProcessNotifier.Listener listener) {
        return token != current && (token > current || !listener.heardNothingAfter(stream, token));
    }

    private record Computed(ObjectNode json, boolean hasContent) {}

    /** Long-poll passes answered from memory ({@link #fromMemory}) since start-up (a metric). */
    public long passesFromMemory() {
        return passesFromMemory.sum();
    }

    /**
     * A long-poll's pass built from what this process knows, or null when a normal pass must answer. The events
     * after the token come from {@link RecentEvents} (up to the first position it lacks), the user's rooms from
     * {@link RoomsOfUsers}, and the rooms part from {@link RoomSections#fromMemory}, which gives up on anything
     * but new events in rooms the user stayed joined to. Each other stream is read only when the listener heard
     * of a change of it for the user; otherwise the next token keeps the stream's position (a change committed
     * but not yet announced lies after it, so the next pass finds it). Reads the unread counts, the one-time key
     * counts and the ignored users, where a normal pass reads a dozen statements first.
     */
    private Computed fromMemory(SyncRequest request, InProcessNotifier.Listener listener) {
        SyncToken since = request.since().orElseThrow();
        RoomsOfUsers.Known known = roomsOfUsers.asOf(request.userId(), since.events());
        if (known == null || request.filter().room().state().lazyLoadMembers()
                || !announcedUpTo(SqlRoomStore.EVENTS, since.events())) {
            return null;
        }
        List<RecentEvents.Batch> window = recentEvents.after(since.events());
        long upTo = window.isEmpty() ? since.events() : window.getLast().last();
        // The window must hold everything announced to the listener (else its wake-up was spent on a pass that
        // left the event out), and the rooms must have been read within it.
        if (known.eventsPos() > upTo || !listener.heardNothingAfter(SqlRoomStore.EVENTS, upTo)) {
            return null;
        }
        contributors.forEach(contributor -> contributor.beforeRead(upTo));
        Computed computed = reads.readingTogether(() -> {
            var response = new SyncResponse();
            RoomSections.Result rooms = roomSections.fromMemory(request, known, window, response);
            if (rooms == null) {
                return null;
            }
            var context = new SyncContext(request.userId(), request.deviceId(), false, rooms.joined(), Set.of(),
                    request.filter().room().timeline().unreadThreadNotifications());
            var reached = new HashMap<StreamName, Long>();
            for (SyncContributor contributor : contributors) {
                StreamName stream = contributor.stream();
                long streamSince = since.position(stream);
                boolean quiet = announcedUpTo(stream, streamSince) && listener.heardNothingAfter(stream, streamSince);
                long streamUpTo = quiet ? streamSince : contributor.currentPosition();
                if (streamSince > streamUpTo) {
                    streamSince = 0; // as in a normal pass
                }
                reached.put(stream, contributor.contribute(context, streamSince, streamUpTo, response));
            }
            return finish(request, response, rooms, context, upTo, reached);
        });
        if (computed != null) {
            roomsOfUsers.remember(request.userId(), known.roomIds(), known.joined(), upTo);
            passesFromMemory.increment();
        }
        return computed;
    }

    /** One pass over every stream, its reads in one snapshot. */
    private Computed compute(SyncRequest request) {
        long eventsPos = store.currentStreamPos();
        contributors.forEach(contributor -> contributor.beforeRead(eventsPos));
        return reads.readingTogether(() -> computeNow(request));
    }

    private Computed computeNow(SyncRequest request) {
        long upTo = store.currentStreamPos();
        var upToByStream = new HashMap<StreamName, Long>();
        for (SyncContributor contributor : contributors) {
            upToByStream.put(contributor.stream(), contributor.currentPosition());
        }
        long since = request.since().map(SyncToken::events).orElse(0L);
        if (since > upTo) {
            since = upTo; // a token from before a database reset: carry on from now
        }
        var response = new SyncResponse();
        RoomSections.Result rooms = roomSections.build(request, since, upTo, response);
        roomsOfUsers.remember(request.userId(), rooms.memberOf(), rooms.joined(), upTo);
        var context = new SyncContext(request.userId(), request.deviceId(), request.initial(), rooms.joined(),
                rooms.newlyJoined(), request.filter().room().timeline().unreadThreadNotifications());
        var reached = new HashMap<StreamName, Long>();
        for (SyncContributor contributor : contributors) {
            long streamUpTo = upToByStream.get(contributor.stream());
            long streamSince = request.initial() ? 0 : request.since().get().position(contributor.stream());
            if (streamSince > streamUpTo) {
                streamSince = 0; // e.g. an in-memory stream after a restart: send what is current
            }
            reached.put(contributor.stream(), contributor.contribute(context, streamSince, streamUpTo, response));
        }
        return finish(request, response, rooms, context, upTo, reached);
    }

    private Computed finish(SyncRequest request, SyncResponse response, RoomSections.Result rooms,
                            SyncContext context, long upTo, Map<StreamName, Long> reached) {
        applyFilters(request.filter(), rooms, response);
        ObjectNode json = assemble(request, response, rooms, context, upTo);
        json.put("next_batch", new SyncToken(upTo, reached).serialize());
        boolean hasContent = response.hasContent() || !rooms.invite().isEmpty() || !rooms.leave().isEmpty()
                || !rooms.knock().isEmpty();
        return new Computed(json, hasContent);
    }

    private static void applyFilters(Filter filter, RoomSections.Result rooms, SyncResponse response) {
        response.joinedRooms().keySet().removeIf(roomId ->
                !rooms.joined().contains(roomId) || !filter.room().allowsRoom(roomId));
        for (ObjectNode room : response.joinedRooms().values()) {
            filterEvents(room.path("ephemeral").path("events"), filter.room().ephemeral());
            filterEvents(room.path("account_data").path("events"), filter.room().accountData());
        }
        filterEvents(response.topLevelEvents().get("account_data"), filter.accountData());
        filterEvents(response.topLevelEvents().get("presence"), filter.presence());
    }

    private static void filterEvents(com.fasterxml.jackson.databind.JsonNode events, EventFilter filter) {
        if (!(events instanceof ArrayNode array)) {
            return;
        }
        int kept = 0;
        for (Iterator<com.fasterxml.jackson.databind.JsonNode> it = array.iterator(); it.hasNext(); ) {
            var event = it.next();
            if (!filter.matches(event) || filter.limit() != null && kept >= filter.limit()) {
                it.remove();
            } else {
                kept++;
            }
        }
    }

    private ObjectNode assemble(SyncRequest request, SyncResponse response, RoomSections.Result rooms,
                                SyncContext context, long upTo) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        ObjectNode roomsJson = json.putObject("rooms");
        ObjectNode join = roomsJson.putObject("join");
        response.joinedRooms().forEach((roomId, room) -> {
            completeJoinedRoom(request, room, upTo);
            for (RoomDecorator decorator : decorators) {
                decorator.decorate(context, roomId, room);
            }
            join.set(roomId, room);
        });
        roomsJson.set("invite", rooms.invite());
        roomsJson.set("leave", rooms.leave());
        roomsJson.set("knock", rooms.knock());
        json.setAll(response.topLevelJson());
        for (String section : List.of("account_data", "presence", "to_device")) {
            if (!json.has(section)) {
                json.putObject(section).putArray("events");
            }
        }
        return json;
    }

    /** A room present only because a contributor added to it still carries every section a client expects. */
    private static void completeJoinedRoom(SyncRequest request, ObjectNode room, long upTo) {
        if (!room.has("timeline")) {
            ObjectNode timeline = room.putObject("timeline");
            timeline.putArray("events");
            timeline.put("limited", false);
            timeline.put("prev_batch", SyncToken.at(upTo).serialize());
        }
        String stateField = request.useStateAfter() ? "state_after" : "state";
        if (!room.has(stateField)) {
            room.putObject(stateField).putArray("events");
        }
        for (String section : List.of("ephemeral", "account_data")) {
            if (!room.has(section)) {
                room.putObject(section).putArray("events");
            }
        }
    }
}

package dev.myelin.server.federation.room;

import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fetches the full state of rooms joined with partial state (MSC3706; Synapse "faster joins"), in the background:
 * the state before the join from the servers the resident server named ({@code /state_ids}, then {@code /state} or
 * {@code /event} for what is missing, every event checked), then the room's current state is that state with the
 * changes made since the join, every event since is authorised again on its completed state (those that fail are
 * rejected, see {@link RemoteEventIngest#completePartialState}), and the room is marked full. A failed resync is retried with backoff; rooms still
 * partial when the server starts (it stopped mid-resync) are resumed.
 */
final class PartialStateResync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartialStateResync.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofMinutes(5);

    private final RoomService rooms;
    private final RoomStore store;
    private final RemoteEventIngest ingest;
    private final RemoteState state;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    PartialStateResync(RoomService rooms, RemoteEventIngest ingest, RemoteRoomReader remote) {
        this.rooms = rooms;
        this.store = rooms.store();
        this.ingest = ingest;
        this.state = new RemoteState(rooms, ingest, remote);
    }

    /** Starts resyncing every room still marked partial (after a restart). */
    void resumeAll() {
        store.partialStateRooms().forEach(this::start);
    }

    /** Starts resyncing a room in the background, unless it is already being resynced. */
    void start(String roomId) {
        if (closed || !running.add(roomId)) {
            return;
        }
        threads.add(Thread.ofVirtual().name("resync-" + roomId).start(() -> {
            try {
                retrying(roomId);
            } finally {
                running.remove(roomId);
                threads.remove(Thread.currentThread());
            }
        }));
    }

    private void retrying(String roomId) {
        Duration wait = FIRST_RETRY;
        while (!closed) {
            try {
                if (resync(roomId)) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warn("Resyncing the state of {} failed", roomId, e);
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            wait = wait.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait.multipliedBy(2);
        }
    }

    /** One attempt: true when the room's state is full now (or the room is no longer partial). */
    boolean resync(String roomId) {
        Optional<RoomStore.Room> room = store.room(roomId).filter(RoomStore.Room::partialState);
        if (room.isEmpty()) {
            return true;
        }
        // The join is the room's first event in the stream: backfilled history sits below 0.
        List<RoomStore.StoredEvent> first = store.timeline(room.get().nid(), 0, Long.MAX_VALUE, false, 1);
        if (first.isEmpty()) {
            // Stopped before the join was stored: there is no state to complete.
            store.setPartialState(roomId, List.of());
            return true;
        }
        String joinId = first.getFirst().eventId();
        RoomVersion version = RoomService.version(room.get());
        for (String server : store.partialStateServers(roomId)) {
            if (server.equals(rooms.serverName())) {
                continue;
            }
            Map<StateKey, String> beforeJoin;
            try {
                beforeJoin = state.stateBefore(server, roomId, version, joinId);
            } catch (FederationException e) {
                LOG.info("Resyncing the state of {} from {} failed: {}", roomId, server, e.getMessage());
                continue;
            }
            if (beforeJoin.isEmpty()) {
                continue;
            }
            List<String> rejected = ingest.completePartialState(roomId, joinId, beforeJoin);
            rooms.fullStateReached(roomId);
            LOG.info("The state of {} is full: {} entries before the join, from {}; {} events accepted on the partial "
                    + "state rejected now", roomId, beforeJoin.size(), server, rejected.size());
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
    }
}

package dev.myelin.server.typing;

import dev.myelin.server.storage.StreamName;
import dev.myelin.server.sync.Notifier;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Who is typing in which room (spec: modules "Typing Notifications"), in memory: typing is ephemeral and a restart
 * only stops everyone typing. Each start or stop, and each expiry, takes the next position of the {@code typing}
 * stream and wakes the room's long-polls; extending a running notification changes nothing others see.
 *
 * <p>Positions count on from the clock's milliseconds at start, so a sync token from before a restart stays below
 * the new positions (unless this process made more than one change per millisecond of the last one's life).
 */
public final class TypingService implements AutoCloseable {
    public static final StreamName STREAM = StreamName.of("typing");
    /** The longest a typing notification lasts without being renewed (clients renew every 20-30 s). */
    public static final long MAX_TIMEOUT_MS = 120_000;

    private final Notifier notifier;
    private final Clock clock;
    private final ScheduledExecutorService expiries;
    /** Room id to its typists (user id to deadline in ms), and the position of the room's last change. */
    private final Map<String, Room> rooms = new HashMap<>();
    private long position;
    private final List<TypingListener> listeners = new CopyOnWriteArrayList<>();

    private static final class Room {
        final Map<String, Long> deadlines = new LinkedHashMap<>();
        long changedAt;
    }

    public TypingService(Notifier notifier, Clock clock) {
        this.notifier = notifier;
        this.clock = clock;
        this.position = clock.millis();
        this.expiries = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("typing-expiry")
                .factory());
    }

    public void addListener(TypingListener listener) {
        listeners.add(listener);
    }

    /** The user is typing in the room for the next {@code timeoutMs} (at most {@link #MAX_TIMEOUT_MS}). */
    public void started(String roomId, String userId, long timeoutMs) {
        long timeout = Math.min(Math.max(timeoutMs, 0), MAX_TIMEOUT_MS);
        long deadline = clock.millis() + timeout;
        boolean changed;
        synchronized (this) {
            Room room = rooms.computeIfAbsent(roomId, _ -> new Room());
            changed = room.deadlines.put(userId, deadline) == null;
            if (changed) {
                room.changedAt = ++position;
            }
        }
        expiries.schedule(() -> expire(roomId, userId, deadline), timeout, TimeUnit.MILLISECONDS);
        if (changed) {
            announce(roomId);
        }
        listeners.forEach(listener -> listener.typing(roomId, userId, true));
    }

    public void stopped(String roomId, String userId) {
        synchronized (this) {
            Room room = rooms.get(roomId);
            if (room == null || room.deadlines.remove(userId) == null) {
                return;
            }
            room.changedAt = ++position;
        }
        announce(roomId);
        listeners.forEach(listener -> listener.typing(roomId, userId, false));
    }

    private void expire(String roomId, String userId, long deadline) {
        synchronized (this) {
            Room room = rooms.get(roomId);
            Long current = room == null ? null : room.deadlines.get(userId);
            if (current == null || current != deadline) {
                return; // renewed or stopped since
            }
            room.deadlines.remove(userId);
            room.changedAt = ++position;
        }
        announce(roomId);
        listeners.forEach(listener -> listener.typing(roomId, userId, false));
    }

    private void announce(String roomId) {
        long at;
        synchronized (this) {
            at = position;
        }
        notifier.advanced(STREAM, at, List.of(roomId));
    }

    public synchronized long currentPosition() {
        return position;
    }

    /** The users typing in the room now. */
    public synchronized List<String> typing(String roomId) {
        Room room = rooms.get(roomId);
        return room == null ? List.of() : List.copyOf(room.deadlines.keySet());
    }

    /**
     * For each of {@code roomIds} whose typists changed after {@code since} up to {@code upTo}, or, when {@code
     * since} is 0, that has typists: who is typing now.
     */
    public synchronized Map<String, List<String>> changed(Set<String> roomIds, long since, long upTo) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String roomId : roomIds) {
            Room room = rooms.get(roomId);
            if (room == null) {
                continue;
            }
            boolean include = since == 0 ? !room.deadlines.isEmpty()
                    : room.changedAt > since && room.changedAt <= upTo;
            if (include) {
                out.put(roomId, new ArrayList<>(room.deadlines.keySet()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        expiries.shutdownNow();
    }
}

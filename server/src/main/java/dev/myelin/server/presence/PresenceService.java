package dev.myelin.server.presence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.PresenceStore;
import dev.myelin.server.storage.PresenceStore.Presence;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.sql.SqlPresenceStore;
import dev.myelin.server.sync.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Users' presence (spec: modules "Presence"). What others see (state, status message, last active time, currently
 * active) is stored, one {@code presence} stream position per change, and announced to everyone sharing a room
 * with the user. When a user was last active and whether a client is connected is kept in memory: it changes with
 * every request and is not worth a write.
 *
 * <ul>
 *   <li>A sync with {@code set_presence=online} brings an offline user online; {@code unavailable} makes the user
 *   unavailable; {@code offline} leaves presence alone.</li>
 *   <li>Activity (sending an event, setting presence online) makes the user online and currently active.</li>
 *   <li>{@link #expire()} (every few seconds): currently active ends {@link #ACTIVE_MS} after the last activity,
 *   online becomes unavailable after {@link #IDLE_MS} without activity ("Idle timeout"), and a user whose clients
 *   neither sync nor set presence for {@link #GONE_MS} goes offline.</li>
 * </ul>
 */
public final class PresenceService implements AutoCloseable {
    public static final String ONLINE = "online";
    public static final String UNAVAILABLE = "unavailable";
    public static final String OFFLINE = "offline";
    static final long ACTIVE_MS = 60_000;
    static final long IDLE_MS = 5 * 60_000;
    static final long GONE_MS = 30_000;
    private static final long EXPIRY_INTERVAL_MS = 5_000;
    private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);

    private final PresenceStore store;
    private final RoomStore rooms;
    private final Notifier notifier;
    private final Clock clock;
    /** Users not offline: what others see and when a client was last connected. */
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final List<Consumer<Presence>> listeners = new CopyOnWriteArrayList<>();
    private Thread expiry;

    private static final class Live {
        Presence presence;
        long lastSeen;
        int syncing;

        Live(Presence presence, long lastSeen) {
            this.presence = presence;
            this.lastSeen = lastSeen;
        }
    }

    /** A sync in progress: while open the user counts as connected. */
    public interface Syncing extends AutoCloseable {
        @Override
        void close();
    }

    public PresenceService(PresenceStore store, RoomStore rooms, Notifier notifier, Clock clock) {
        this.store = store;
        this.rooms = rooms;
        this.notifier = notifier;
        this.clock = clock;
        long now = clock.millis();
        // After a restart, users online before go offline unless a client comes back within GONE_MS.
        for (PresenceStore.Stored stored : store.notOffline()) {
            live.put(stored.presence().userId(), new Live(stored.presence(), now));
        }
    }

    /** Registers a listener told of every change of a local user's presence that others see. */
    public void addListener(Consumer<Presence> listener) {
        listeners.add(listener);
    }

    /**
     * Stores the presence of a user of another server (spec: server-server-api "Presence"), as its server
     * reported it, and announces it; its server, not this one, times it out.
     */
    public void remote(Presence presence) {
        announce(presence);
    }

    /** Starts the timer that runs {@link #expire()}. */
    public PresenceService start() {
        expiry = Thread.ofVirtual().name("presence-expiry").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(EXPIRY_INTERVAL_MS);
                    expire();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("presence expiry failed", e);
                }
            }
        });
        return this;
    }

    /**
     * A sync started with the given {@code set_presence} (spec: GET /sync); close the result when it ends. With
     * {@code offline} the sync does not count as a connection.
     */
    public Syncing syncing(String userId, String setPresence) {
        if (OFFLINE.equals(setPresence)) {
            return () -> { };
        }
        Live entry = liveOf(userId);
        synchronized (entry) {
            long now = clock.millis();
            entry.lastSeen = now;
            entry.syncing++;
            Presence current = entry.presence;
            if (UNAVAILABLE.equals(setPresence) && !current.state().equals(UNAVAILABLE)) {
                change(entry, new Presence(userId, UNAVAILABLE, current.statusMsg(), current.lastActiveTs(), false));
            } else if (ONLINE.equals(setPresence) && current.state().equals(OFFLINE)) {
                change(entry, new Presence(userId, ONLINE, current.statusMsg(), now, true));
            }
        }
        return () -> {
            synchronized (entry) {
                entry.syncing--;
                entry.lastSeen = clock.millis();
            }
        };
    }

    /** {@code PUT /presence/{userId}/status}: setting presence also counts as activity when it is online. */
    public void set(String userId, String state, Optional<String> statusMsg) {
        Live entry = liveOf(userId);
        synchronized (entry) {
            long now = clock.millis();
            entry.lastSeen = now;
            boolean online = state.equals(ONLINE);
            Presence current = entry.presence;
            change(entry, new Presence(userId, state, statusMsg, online ? now : current.lastActiveTs(), online));
        }
    }

    /** The user did something (sent an event): online and currently active. */
    public void active(String userId) {
        Live entry = liveOf(userId);
        synchronized (entry) {
            long now = clock.millis();
            entry.lastSeen = now;
            Presence current = entry.presence;
            Presence next = new Presence(userId, ONLINE, current.statusMsg(), now, true);
            if (current.state().equals(ONLINE) && current.currentlyActive()) {
                entry.presence = next; // only the last active time moved: others learn it when they ask
            } else {
                change(entry, next);
            }
        }
    }

    /** The user's presence now: the live one, else the stored one, else empty. */
    public Optional<Presence> get(String userId) {
        Live entry = live.get(userId);
        if (entry != null) {
            synchronized (entry) {
                return Optional.of(entry.presence);
            }
        }
        return store.get(userId).map(PresenceStore.Stored::presence);
    }

    /** Applies the timeouts: ends currently active, makes idle users unavailable and gone ones offline. */
    public void expire() {
        long now = clock.millis();
        for (Live entry : new ArrayList<>(live.values())) {
            synchronized (entry) {
                Presence p = entry.presence;
                if (entry.syncing == 0 && now - entry.lastSeen > GONE_MS) {
                    if (!p.state().equals(OFFLINE)) {
                        change(entry, new Presence(p.userId(), OFFLINE, p.statusMsg(), p.lastActiveTs(), false));
                    }
                    live.remove(p.userId(), entry);
                } else if (p.state().equals(ONLINE) && now - p.lastActiveTs() > IDLE_MS) {
                    change(entry, new Presence(p.userId(), UNAVAILABLE, p.statusMsg(), p.lastActiveTs(), false));
                } else if (p.currentlyActive() && now - p.lastActiveTs() > ACTIVE_MS) {
                    change(entry, new Presence(p.userId(), p.state(), p.statusMsg(), p.lastActiveTs(), false));
                }
            }
        }
    }

    /**
     * The user's entry, created from the stored presence (or offline) when the user was not live. An entry the
     * expiry removed meanwhile is replaced, so the caller never updates a detached one.
     */
    private Live liveOf(String userId) {
        while (true) {
            Live entry = live.get(userId);
            if (entry == null) {
                Presence stored = store.get(userId).map(PresenceStore.Stored::presence)
                        .orElseGet(() -> new Presence(userId, OFFLINE, Optional.empty(), 0, false));
                Live created = new Live(stored, clock.millis());
                Live raced = live.putIfAbsent(userId, created);
                entry = raced != null ? raced : created;
            }
            synchronized (entry) {
                if (live.get(userId) == entry) {
                    return entry;
                }
            }
        }
    }

    /** Stores what others now see and wakes the long-polls of everyone sharing a room with the user. */
    private void change(Live entry, Presence next) {
        entry.presence = next;
        announce(next);
        listeners.forEach(listener -> listener.accept(next));
    }

    private void announce(Presence next) {
        long position = store.put(next);
        var audience = new ArrayList<String>();
        audience.add(next.userId());
        for (RoomStore.Membership membership : rooms.membershipsOf(next.userId())) {
            if (membership.membership().equals("join")) {
                audience.add(membership.roomId());
            }
        }
        notifier.advanced(SqlPresenceStore.STREAM, position, audience);
    }

    /** The {@code m.presence} event of a presence, with {@code last_active_ago} as of now. */
    public ObjectNode event(Presence presence) {
        ObjectNode event = Json.MAPPER.createObjectNode().put("type", "m.presence").put("sender", presence.userId());
        event.set("content", content(presence));
        return event;
    }

    /** The presence as {@code GET /presence/{userId}/status} and {@code m.presence} show it. */
    public ObjectNode content(Presence presence) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("presence", presence.state());
        if (presence.lastActiveTs() > 0) {
            content.put("last_active_ago", Math.max(0, clock.millis() - presence.lastActiveTs()));
        }
        if (presence.state().equals(ONLINE)) {
            content.put("currently_active", presence.currentlyActive());
        }
        presence.statusMsg().ifPresent(msg -> content.put("status_msg", msg));
        return content;
    }

    /** The live presence of a stored one, which may have a newer last active time. */
    public Presence current(Presence stored) {
        return get(stored.userId()).orElse(stored);
    }

    @Override
    public void close() {
        if (expiry != null) {
            expiry.interrupt();
        }
    }
}

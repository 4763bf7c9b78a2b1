package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.room.RecentEvents;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.NotificationStore;
import dev.myelin.server.storage.NotificationStore.Delivery;
import dev.myelin.server.storage.NotificationStore.Notification;
import dev.myelin.server.storage.NotificationStore.ReadMark;
import dev.myelin.server.storage.PusherStore;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.storage.sql.SqlNotificationStore;
import dev.myelin.server.sync.Notifier;
import dev.myelin.spec.auth.AuthState;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs push rules for every new event for each local user in the room except the sender (spec: client-server-api
 * "Server behaviour"). It follows the events stream from its stored progress and stores the notifications, the
 * pushers' deliveries (sent later by {@link PushDelivery}) and the new progress in one transaction, so each event is
 * evaluated exactly once, in order, across restarts. The notifier calls {@link #catchUp} after new events commit
 * and before long-polls are woken, so a woken sync finds the new event's counts ready; a background worker catches
 * up after a restart or a failure. Sync still waits for it ({@link #awaitProcessed}) in case it reads an event whose
 * writer has not caught up yet.
 */
public final class NotificationEvaluator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationEvaluator.class);
    private static final int BATCH = 200;
    private static final long IDLE_POLL_MILLIS = 2_000;

    private final RoomService rooms;
    private final RecentEvents recentEvents;
    private final PushRuleService rules;
    private final NotificationStore store;
    private final PusherStore pushers;
    private final Notifier notifier;
    private final Runnable deliveriesAdded;
    private final Clock clock;
    private final WorkerLoop loop;
    /** One evaluation at a time, whether the worker's or a writer's. */
    private final ReentrantLock evaluating = new ReentrantLock();
    private final ReentrantLock progressLock = new ReentrantLock();
    private final Condition progressed = progressLock.newCondition();
    private volatile long progress = -1;

    public NotificationEvaluator(RoomService rooms, RecentEvents recentEvents, PushRuleService rules,
                                 NotificationStore store, PusherStore pushers, Notifier notifier,
                                 Runnable deliveriesAdded, Clock clock) {
        this.rooms = rooms;
        this.recentEvents = recentEvents;
        this.rules = rules;
        this.store = store;
        this.pushers = pushers;
        this.notifier = notifier;
        this.deliveriesAdded = deliveriesAdded;
        this.clock = clock;
        this.loop = new WorkerLoop("push-evaluator", LOG, this::step);
    }

    /** Starts the worker; a database without stored progress starts after the events it already has. */
    public NotificationEvaluator start() {
        store.startProgressAt(rooms.store().currentStreamPos());
        loop.start();
        return this;
    }

    /**
     * Evaluates, on the caller's thread, every event persisted so far: a writer calls it after its commit. A failure
     * is left to the worker, which retries; the writer's events are committed either way.
     */
    public void catchUp() {
        try {
            step();
        } catch (RuntimeException e) {
            LOG.warn("Push evaluation after a write failed; the worker retries", e);
            loop.wake();
        }
    }

    /** Waits (at most {@code timeoutMillis}) until every event up to {@code eventsPos} has been evaluated. */
    public boolean awaitProcessed(long eventsPos, long timeoutMillis) throws InterruptedException {
        if (progress >= eventsPos) {
            return true;
        }
        loop.wake();
        long left = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        progressLock.lock();
        try {
            while (progress < eventsPos && left > 0) {
                left = progressed.awaitNanos(left);
            }
            return progress >= eventsPos;
        } finally {
            progressLock.unlock();
        }
    }

    private long step() {
        evaluating.lock();
        try {
            if (progress < 0) {
                setProgress(store.progress());
            }
            long current = rooms.store().currentStreamPos();
            while (progress < current) {
                long upTo = Math.min(current, progress + BATCH);
                evaluate(progress, upTo);
                setProgress(upTo);
            }
            return IDLE_POLL_MILLIS;
        } finally {
            evaluating.unlock();
        }
    }

    private void setProgress(long value) {
        progressLock.lock();
        try {
            progress = value;
            progressed.signalAll();
        } finally {
            progressLock.unlock();
        }
    }

    /** What one batch produced, with the room facts looked up once per room. */
    private final class Batch {
        final List<Notification> notifications = new ArrayList<>();
        final List<ReadMark> reads = new ArrayList<>();
        final List<Delivery> deliveries = new ArrayList<>();
        final Map<String, List<PusherStore.Pusher>> pushersByUser = new HashMap<>();

        /** Reads the pushers of those of the users this batch has not read yet, all at once. */
        void readPushersOf(Set<String> userIds) {
            var unread = userIds.stream().filter(user -> !pushersByUser.containsKey(user)).toList();
            if (!unread.isEmpty()) {
                Map<String, List<PusherStore.Pusher>> read = pushers.pushers(unread);
                unread.forEach(user -> pushersByUser.put(user, read.getOrDefault(user, List.of())));
            }
        }

        List<PusherStore.Pusher> pushersOf(String userId) {
            return pushersByUser.get(userId);
        }
    }

    private void evaluate(long after, long upTo) {
        // The batch's reads share one read transaction (on SQLite one trip to a reader thread); its writes follow.
        Batch batch = rooms.store().readingTogether(() -> read(after, upTo));
        Set<String> users = store.record(upTo, batch.notifications, batch.reads, batch.deliveries, clock.millis());
        if (!users.isEmpty()) {
            notifier.advanced(SqlNotificationStore.COUNTS, store.currentPosition(), users);
        }
        if (!batch.deliveries.isEmpty()) {
            deliveriesAdded.run();
        }
    }

    private Batch read(long after, long upTo) {
        var batch = new Batch();
        for (RoomEvents room : eventsBetween(after, upTo)) {
            var facts = new RoomFacts(rooms, room.room());
            for (StoredEvent stored : room.events()) {
                try {
                    evaluate(batch, facts, stored);
                } catch (RuntimeException e) {
                    // One event that cannot be evaluated must not stop notifications for everything after it.
                    LOG.warn("Push evaluation skipped event {} in {}", stored.eventId(), room.room().roomId(), e);
                }
            }
        }
        return batch;
    }

    /** A room and its events of a batch, oldest first. */
    private record RoomEvents(RoomStore.Room room, List<StoredEvent> events) {}

    /**
     * The events after {@code after} up to {@code upTo} by room: from memory when this server created all of them
     * (the room as the last of them left it), else read (the room as it is now). Rejected and soft-failed events are
     * left out.
     */
    private List<RoomEvents> eventsBetween(long after, long upTo) {
        List<RecentEvents.Batch> recent = recentEvents.after(after);
        if (!recent.isEmpty() && recent.getLast().last() >= upTo) {
            var byRoom = new LinkedHashMap<String, RoomEvents>();
            for (RecentEvents.Batch created : recent) {
                if (created.first() > upTo) {
                    break;
                }
                List<StoredEvent> events = byRoom.containsKey(created.room().roomId())
                        ? byRoom.get(created.room().roomId()).events() : new ArrayList<>();
                for (StoredEvent stored : created.events()) {
                    if (stored.streamPos() <= upTo && !stored.rejected() && !stored.softFailed()) {
                        events.add(stored);
                    }
                }
                byRoom.put(created.room().roomId(), new RoomEvents(created.room(), events));
            }
            return List.copyOf(byRoom.values());
        }
        var read = new ArrayList<RoomEvents>();
        Set<String> roomIds = rooms.store().roomsWithEventsBetween(after, upTo);
        Map<String, RoomStore.Room> byId = rooms.store().rooms(roomIds);
        for (String roomId : roomIds) {
            RoomStore.Room room = byId.get(roomId);
            if (room != null) {
                read.add(new RoomEvents(room, rooms.store().timeline(room.nid(), after, upTo, false, BATCH + 1)));
            }
        }
        return read;
    }

    private void evaluate(Batch batch, RoomFacts facts, StoredEvent stored) {
        Pdu pdu = rooms.pdu(stored, RoomService.version(facts.room));
        String sender = pdu.sender();
        String threadId = threadOf(pdu.content());
        if (facts.isLocal(sender)) {
            // Sending an event marks what came before it in its thread as read (spec: "Marking notifications as read").
            batch.reads.add(new ReadMark(sender, facts.room.roomId(), threadId, stored.streamPos()));
        }
        var recipients = new LinkedHashSet<>(facts.localJoined());
        if ("m.room.member".equals(pdu.type()) && pdu.stateKey() != null && facts.isLocal(pdu.stateKey())
                && "invite".equals(pdu.content().path("membership").asText())) {
            recipients.add(pdu.stateKey());
        }
        recipients.remove(sender);
        if (recipients.isEmpty()) {
            return;
        }
        AuthState power = facts.power();
        long senderPower = power.powerOf(sender);
        Pdu powerLevels = power.get(new StateKey("m.room.power_levels", ""));
        batch.readPushersOf(recipients);
        JsonNode notificationLevels = powerLevels == null ? null : powerLevels.content().get("notifications");
        for (String userId : recipients) {
            var context = new PushContext(userId, facts.displayName(userId), facts.joinedCount(), senderPower,
                    notificationLevels);
            PushActions actions = PushRuleEvaluator.firstMatch(rules.ruleSet(userId).ordered(), pdu.json(), context)
                    .map(rule -> PushActions.of(rule.actions())).orElse(null);
            if (actions == null || !actions.notifies()) {
                continue;
            }
            batch.notifications.add(new Notification(userId, facts.room.roomId(), threadId, pdu.eventId(),
                    stored.streamPos(), actions.highlight(), actions.actions(), pdu.originServerTs()));
            for (PusherStore.Pusher pusher : batch.pushersOf(userId)) {
                if ("http".equals(pusher.kind())) {
                    batch.deliveries.add(new Delivery(pusher.id(),
                            GatewayNotification.of(pdu, facts, userId, actions, pusher).toString(),
                            actions.tweaks().toString()));
                }
            }
        }
    }

    /** The thread an event belongs to: the root of its {@code m.thread} relation, else the main timeline. */
    static String threadOf(JsonNode content) {
        JsonNode relation = content.path("m.relates_to");
        if ("m.thread".equals(relation.path("rel_type").asText()) && relation.path("event_id").isTextual()) {
            return relation.get("event_id").asText();
        }
        return NotificationStore.MAIN_THREAD;
    }

    @Override
    public void close() {
        loop.close();
    }
}

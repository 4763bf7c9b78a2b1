package dev.myelin.server.appservice;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.push.WorkerLoop;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.AppServiceStore;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.RoomVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pushes the events an application service is interested in to it (spec: application-service-api "Pushing events",
 * {@code PUT /_matrix/app/v1/transactions/{txnId}}), in events-stream order, from a stored progress: a transaction
 * is stored before it is sent and resent unchanged, under the same id, with exponential back-off until the service
 * acknowledges it; only then does the next one start. So no event is lost, reordered or sent twice under two ids.
 */
public final class TransactionSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionSender.class);
    /** At most this many stream positions (so events) per transaction. */
    private static final int BATCH = 100;
    private static final long IDLE_POLL_MILLIS = 5_000;

    /** Retries wait {@code initial}, then twice as long each time, up to {@code max}. */
    public record Backoff(Duration initial, Duration max) {
        public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5));

        long delayMillis(int failures) {
            long delay = initial.toMillis() << Math.min(failures - 1, 30);
            return delay <= 0 ? max.toMillis() : Math.min(delay, max.toMillis());
        }
    }

    private final AppServiceRegistration registration;
    private final RoomService rooms;
    private final RoomReader reader;
    private final AppServiceStore store;
    private final AppServiceClient client;
    private final Backoff backoff;
    private final WorkerLoop loop;
    private int failures;

    public TransactionSender(AppServiceRegistration registration, RoomService rooms, RoomReader reader,
                             AppServiceStore store, AppServiceClient client, Backoff backoff) {
        this.registration = registration;
        this.rooms = rooms;
        this.reader = reader;
        this.store = store;
        this.client = client;
        this.backoff = backoff;
        this.loop = new WorkerLoop("appservice-" + registration.id(), LOG, this::step);
    }

    /** Starts the worker; a service seen for the first time starts after the events already stored. */
    public TransactionSender start() {
        store.startAt(registration.id(), rooms.store().currentStreamPos());
        loop.start();
        return this;
    }

    public void wake() {
        loop.wake();
    }

    private long step() {
        while (true) {
            AppServiceStore.Progress progress = store.progress(registration.id());
            if (progress.pending().isPresent()) {
                if (!deliver(progress.nextTxnId(), progress.pending().get())) {
                    return backoff.delayMillis(failures);
                }
                store.delivered(registration.id());
                continue;
            }
            long current = rooms.store().currentStreamPos();
            if (progress.eventsPos() >= current) {
                return IDLE_POLL_MILLIS;
            }
            long upTo = Math.min(current, progress.eventsPos() + BATCH);
            ArrayNode events = interestingEvents(progress.eventsPos(), upTo);
            if (events.isEmpty()) {
                store.skipTo(registration.id(), upTo);
            } else {
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.set("events", events);
                store.queue(registration.id(), upTo, body.toString());
            }
        }
    }

    private boolean deliver(long txnId, String body) {
        try {
            var answer = client.put(registration, "/_matrix/app/v1/transactions/" + txnId, body);
            if (answer.ok()) {
                failures = 0;
                return true;
            }
            LOG.warn("Application service {} refused transaction {}: {} {}", registration.id(), txnId,
                    answer.status(), answer.body());
        } catch (IOException e) {
            LOG.warn("Application service {}: transaction {} not delivered: {}", registration.id(), txnId,
                    e.getMessage());
        }
        failures++;
        return false;
    }

    /** The events after {@code after} up to {@code upTo} the service is interested in, in stream order. */
    private ArrayNode interestingEvents(long after, long upTo) {
        record Found(StoredEvent stored, RoomReader.Event event, RoomVersion version) {}
        var found = new ArrayList<Found>();
        RoomStore store = rooms.store();
        for (String roomId : store.roomsWithEventsBetween(after, upTo)) {
            RoomStore.Room room = store.room(roomId).orElse(null);
            if (room == null) {
                continue;
            }
            RoomVersion version = RoomService.version(room);
            var interest = new RoomInterest(registration, store, roomId);
            List<StoredEvent> timeline = store.timeline(room.nid(), after, upTo, false, BATCH + 1);
            for (StoredEvent stored : timeline) {
                RoomReader.Event event = reader.load(stored, version);
                if (interest.interestedIn(event.pdu())) {
                    found.add(new Found(stored, event, version));
                }
            }
        }
        found.sort(Comparator.comparingLong(f -> f.stored().streamPos()));
        ArrayNode events = Json.MAPPER.createArrayNode();
        for (Found f : found) {
            events.add(reader.clientEvent(f.event(), f.version()));
        }
        return events;
    }

    @Override
    public void close() {
        loop.close();
    }
}

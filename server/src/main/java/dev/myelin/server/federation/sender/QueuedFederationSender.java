package dev.myelin.server.federation.sender;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.FederationQueueStore;
import dev.myelin.server.storage.FederationQueueStore.Kind;
import dev.myelin.server.storage.FederationQueueStore.QueuedItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link FederationSender} over the durable queue. Each destination with items has at most one virtual thread
 * draining it: the oldest items go out in transactions of at most 50 PDUs and 100 EDUs
 * ({@code PUT /_matrix/federation/v1/send/{txnId}}), in order, one at a time. Destinations take turns for a few
 * {@link TransactionSlots}, and what they received is recorded for many at once ({@link GroupedDeliveries}). A
 * destination that cannot be reached (or answers 5xx) backs off exponentially, and is retried when the back-off
 * ends, when we start, or as soon as it sends us a request (it is back); its queue then goes out in order
 * (catch-up). A transaction the destination refuses outright (4xx) is dropped, since sending it again cannot help.
 *
 * <p>One process works the queue; with several, the claim would need {@code FOR UPDATE SKIP LOCKED} per destination.
 */
public final class QueuedFederationSender implements FederationSender, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedFederationSender.class);
    public static final int MAX_PDUS = 50;
    public static final int MAX_EDUS = 100;

    private final String serverName;
    private final FederationQueueStore store;
    private final GroupedDeliveries deliveries;
    private final FederationClient client;
    private final Clock clock;
    private final Backoff backoff;
    private final TransactionSlots slots;
    private final Set<String> draining = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicBoolean> wakeRequested = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> retries = new ConcurrentHashMap<>();
    private final Set<String> backingOff = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final AtomicLong txnCounter = new AtomicLong();
    private final String txnPrefix;
    private volatile boolean closed;

    public QueuedFederationSender(String serverName, FederationQueueStore store, FederationClient client, Clock clock,
                                  Backoff backoff) {
        this(serverName, store, client, clock, backoff, TransactionSlots.forThisMachine());
    }

    QueuedFederationSender(String serverName, FederationQueueStore store, FederationClient client, Clock clock,
                           Backoff backoff, TransactionSlots slots) {
        this.serverName = serverName;
        this.slots = slots;
        this.store = store;
        this.deliveries = new GroupedDeliveries(store::delivered);
        this.client = client;
        this.clock = clock;
        this.backoff = backoff;
        this.txnPrefix = Long.toString(clock.millis(), 36);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("federation-retry").factory());
    }

    /** Starts delivering what was queued before a restart. */
    public QueuedFederationSender start() {
        for (String destination : store.destinationsWithItems()) {
            if (store.backoff(destination).isPresent()) {
                backingOff.add(destination);
            }
            wake(destination);
        }
        return this;
    }

    @Override
    public void enqueuePdu(String roomId, byte[] pduJson, Collection<String> destinations) {
        List<String> others = destinations.stream().filter(d -> !d.equals(serverName)).distinct().toList();
        if (others.isEmpty()) {
            return;
        }
        store.enqueue(Kind.PDU, pduJson, others, clock.millis());
        others.forEach(this::wake);
    }

    @Override
    public void enqueueEdu(Collection<String> destinations, String eduType, JsonNode content) {
        List<String> others = destinations.stream().filter(d -> !d.equals(serverName)).distinct().toList();
        if (others.isEmpty()) {
            return;
        }
        ObjectNode edu = JsonNodeFactory.instance.objectNode();
        edu.put("edu_type", eduType);
        edu.set("content", content);
        try {
            store.enqueue(Kind.EDU, Json.MAPPER.writeValueAsBytes(edu), others, clock.millis());
        } catch (IOException e) {
            throw new IllegalArgumentException("EDU content cannot be written as JSON", e);
        }
        others.forEach(this::wake);
    }

    /** The destination sent us a request, so it is up: end its back-off and send what waits for it. */
    public void destinationSeen(String destination) {
        if (backingOff.remove(destination)) {
            store.clearBackoff(destination);
            ScheduledFuture<?> retry = retries.remove(destination);
            if (retry != null) {
                retry.cancel(false);
            }
            wake(destination);
        }
    }

    /** Whether sending to the destination is waiting for its back-off to end. */
    public boolean backingOff(String destination) {
        return backingOff.contains(destination);
    }

    /** Makes sure a thread drains the destination's queue (now, unless it is backing off). */
    void wake(String destination) {
        if (closed) {
            return;
        }
        wakeRequested.computeIfAbsent(destination, d -> new AtomicBoolean()).set(true);
        if (draining.add(destination)) {
            Thread.ofVirtual().name("federation-send-" + destination).start(() -> drainWhileWoken(destination));
        }
    }

    private void drainWhileWoken(String destination) {
        AtomicBoolean requested = wakeRequested.get(destination);
        do {
            requested.set(false);
            try {
                drain(destination);
            } catch (RuntimeException e) {
                LOG.warn("Sending to {} failed unexpectedly", destination, e);
            } finally {
                draining.remove(destination);
            }
        } while (requested.get() && !closed && draining.add(destination));
    }

    private void drain(String destination) {
        String txnId = null;
        List<Long> txnItems = List.of();
        // Read once: in this loop only a failure sets it, and the loop ends there.
        var waiting = store.backoff(destination);
        while (!closed) {
            if (waiting.isPresent() && waiting.get().retryAfterTs() > clock.millis()) {
                backingOff.add(destination);
                scheduleRetry(destination, waiting.get().retryAfterTs() - clock.millis());
                return;
            }
            List<QueuedItem> items;
            Optional<FederationException> failure;
            // The slot comes before reading the queue, so what was queued while waiting for it goes out too.
            try (var _ = slots.take()) {
                items = store.next(destination, MAX_PDUS, MAX_EDUS);
                if (items.isEmpty()) {
                    return;
                }
                List<Long> ids = items.stream().map(QueuedItem::id).toList();
                if (!ids.equals(txnItems)) {
                    // A retry of the same items keeps its txnId, so the destination can recognise it.
                    txnId = txnPrefix + "." + txnCounter.incrementAndGet();
                    txnItems = ids;
                }
                failure = put(destination, txnId, items);
            }
            if (failure.isEmpty()) {
                deliveries.delivered(destination, txnItems);
                if (waiting.isPresent() || backingOff.remove(destination)) {
                    store.clearBackoff(destination);
                    backingOff.remove(destination);
                    waiting = Optional.empty();
                }
            } else if (failure.get().unreachable()) {
                int failures = waiting.map(FederationQueueStore.Backoff::failures).orElse(0) + 1;
                long delay = backoff.delayMs(failures);
                LOG.info("Cannot send to {} ({} failures in a row), retrying in {} s: {}", destination, failures,
                        delay / 1000, failure.get().getMessage());
                store.backOff(destination, new FederationQueueStore.Backoff(failures, clock.millis() + delay));
                backingOff.add(destination);
                scheduleRetry(destination, delay);
                return;
            } else {
                LOG.warn("{} refused transaction {} of {} items; dropping it: {}", destination, txnId, items.size(),
                        failure.get().getMessage());
                deliveries.delivered(destination, txnItems);
            }
        }
    }

    /** Sends one transaction; how it failed, if it did. */
    private Optional<FederationException> put(String destination, String txnId, List<QueuedItem> items) {
        try {
            JsonNode answer = client.put(destination, "/_matrix/federation/v1/send/"
                    + URLEncoder.encode(txnId, StandardCharsets.UTF_8), transaction(items));
            logPduErrors(destination, answer);
            return Optional.empty();
        } catch (FederationException e) {
            return Optional.of(e);
        }
    }

    private ObjectNode transaction(List<QueuedItem> items) {
        ObjectNode txn = JsonNodeFactory.instance.objectNode();
        txn.put("origin", serverName);
        txn.put("origin_server_ts", clock.millis());
        ArrayNode pdus = txn.putArray("pdus");
        ArrayNode edus = txn.putArray("edus");
        for (QueuedItem item : items) {
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(item.json());
            } catch (IOException e) {
                LOG.error("Queued item {} is not JSON; skipping it", item.id());
                continue;
            }
            (item.kind() == Kind.PDU ? pdus : edus).add(json);
        }
        if (edus.isEmpty()) {
            txn.remove("edus");
        }
        return txn;
    }

    private static void logPduErrors(String destination, JsonNode answer) {
        answer.path("pdus").properties().forEach(result -> {
            if (result.getValue().has("error")) {
                LOG.info("{} did not accept {}: {}", destination, result.getKey(), result.getValue().path("error").asText());
            }
        });
    }

    private void scheduleRetry(String destination, long delayMs) {
        retries.compute(destination, (d, existing) -> {
            if (existing != null && !existing.isDone()) {
                return existing;
            }
            return timer.schedule(() -> {
                retries.remove(destination);
                wake(destination);
            }, Math.max(1, delayMs), TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
    }
}

package dev.myelin.server.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.acl.RoomEduAcl;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.storage.InboundTransactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code PUT /_matrix/federation/v1/send/{txnId}} (spec: server-server-api "Transactions", transactions.yaml):
 * at most 50 PDUs and 100 EDUs; the transactions of one origin are processed one at a time, in the order they
 * arrive; a txnId already processed gets the answer it got then, without being processed again. The PDUs go to
 * the {@link PduHandler} together, whose outcomes fill the {@code pdus} result map; each EDU to the handler of its
 * type, less what the server ACLs of its rooms deny the origin ({@link RoomEduAcl}).
 */
public final class TransactionEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionEndpoint.class);
    public static final int MAX_PDUS = 50;
    public static final int MAX_EDUS = 100;
    /** 50 PDUs of at most 64 KiB each, plus EDUs. */
    static final long MAX_BODY_BYTES = 8L << 20;
    static final long KEEP_TXN_IDS_MS = Duration.ofDays(1).toMillis();

    private final InboundHandlers handlers;
    private final InboundTransactionStore store;
    private final RoomEduAcl eduAcl;
    private final Clock clock;
    private final Map<String, ReentrantLock> originLocks = new ConcurrentHashMap<>();
    private final AtomicLong lastPrune = new AtomicLong();

    public TransactionEndpoint(InboundHandlers handlers, InboundTransactionStore store, RoomEduAcl eduAcl,
                               Clock clock) {
        this.handlers = handlers;
        this.store = store;
        this.eduAcl = eduAcl;
        this.clock = clock;
    }

    public void register(FederationRoutes routes) {
        routes.add("PUT", FederationRoutes.V1 + "/send/{txnId}", this::send, MAX_BODY_BYTES);
    }

    private MatrixResponse send(MatrixRequest request, String origin) throws Exception {
        String txnId = request.pathParam("txnId");
        ObjectNode body = request.jsonObject();
        JsonNode pdus = body.get("pdus");
        JsonNode edus = body.path("edus");
        if (pdus == null || !pdus.isArray()) {
            throw MatrixException.badJson("'pdus' must be an array");
        }
        if (!edus.isMissingNode() && !edus.isNull() && !edus.isArray()) {
            throw MatrixException.badJson("'edus' must be an array");
        }
        if (pdus.size() > MAX_PDUS || edus.size() > MAX_EDUS) {
            throw MatrixException.badJson("A transaction holds at most " + MAX_PDUS + " PDUs and " + MAX_EDUS + " EDUs");
        }
        ReentrantLock lock = originLocks.computeIfAbsent(origin, o -> new ReentrantLock(true));
        lock.lock();
        try {
            Optional<byte[]> earlier = store.response(origin, txnId);
            if (earlier.isPresent()) {
                return MatrixResponse.bytes(200, "application/json", earlier.get());
            }
            ObjectNode results = JsonNodeFactory.instance.objectNode();
            ObjectNode pduResults = results.putObject("pdus");
            var objects = new ArrayList<ObjectNode>();
            for (JsonNode pdu : pdus) {
                if (pdu instanceof ObjectNode object) {
                    objects.add(object);
                }
            }
            for (PduHandler.Outcome outcome : handleAll(origin, objects)) {
                if (!outcome.eventId().isEmpty()) {
                    ObjectNode result = pduResults.putObject(outcome.eventId());
                    outcome.error().ifPresent(error -> result.put("error", error));
                }
            }
            for (JsonNode edu : edus) {
                handleEdu(origin, edu);
            }
            byte[] response = Json.MAPPER.writeValueAsBytes(results);
            store.record(origin, txnId, response, clock.millis());
            pruneNowAndThen();
            return MatrixResponse.bytes(200, "application/json", response);
        } finally {
            lock.unlock();
        }
    }

    /** The PDUs' outcomes; should the handler fail on them together, each PDU's on its own. */
    private List<PduHandler.Outcome> handleAll(String origin, List<ObjectNode> pdus) {
        try {
            return handlers.pdus().handleAll(origin, pdus);
        } catch (RuntimeException e) {
            LOG.warn("Handling the PDUs of a transaction from {} together failed; handling them one by one", origin, e);
            return pdus.stream().map(pdu -> handle(origin, pdu)).toList();
        }
    }

    private PduHandler.Outcome handle(String origin, ObjectNode pdu) {
        try {
            return handlers.pdus().handle(origin, pdu);
        } catch (RuntimeException e) {
            LOG.warn("Handling a PDU from {} failed", origin, e);
            return PduHandler.Outcome.failed(UnknownRoomPdus.eventId(pdu), "Internal error while handling this PDU");
        }
    }

    private void handleEdu(String origin, JsonNode edu) {
        String type = edu.path("edu_type").textValue();
        JsonNode content = edu.get("content");
        if (type == null || content == null) {
            LOG.debug("Ignoring a malformed EDU from {}", origin);
            return;
        }
        handlers.edu(type).ifPresent(handler -> eduAcl.admit(type, origin, content).ifPresent(admitted -> {
            try {
                handler.handle(origin, admitted);
            } catch (Exception e) {
                LOG.info("Handling a {} EDU from {} failed: {}", type, origin, e.toString());
            }
        }));
    }

    /** Forgets transaction ids older than a day, at most once an hour. */
    private void pruneNowAndThen() {
        long now = clock.millis();
        long last = lastPrune.get();
        if (now - last > Duration.ofHours(1).toMillis() && lastPrune.compareAndSet(last, now)) {
            store.prune(now - KEEP_TXN_IDS_MS);
        }
    }
}

package dev.myelin.server.receipt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.accountdata.AccountDataService;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.ReceiptStore;
import dev.myelin.server.storage.ReceiptStore.Receipt;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.storage.sql.SqlReceiptStore;
import dev.myelin.server.sync.Notifier;
import dev.myelin.server.sync.ReadReceiptListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Read receipts and the fully read marker (spec: modules "Receipts", "Read and unread markers"). A receipt replaces
 * the user's previous one of the same type and thread, wherever it pointed: the spec does not ask for receipts to
 * only move forward, and a client may move its private receipt back on purpose. Receipts reach the room's
 * members through sync ({@code m.read.private} only its owner); every {@link ReadReceiptListener} learns of them.
 */
public final class ReceiptService {
    public static final String READ = "m.read";
    public static final String READ_PRIVATE = "m.read.private";
    public static final String FULLY_READ = "m.fully_read";
    /** The thread id of a receipt for the main timeline rather than a thread (spec: "Threaded read receipts"). */
    public static final String MAIN_THREAD = "main";
    /** Relations followed from an event to find its thread (spec: "a maximum of 3 hops is recommended"). */
    private static final int MAX_THREAD_HOPS = 3;

    private final ReceiptStore store;
    private final RoomService rooms;
    private final AccountDataService accountData;
    private final Notifier notifier;
    private final Clock clock;
    private final List<ReadReceiptListener> listeners = new CopyOnWriteArrayList<>();
    private final List<PublicReceiptListener> publicListeners = new CopyOnWriteArrayList<>();

    public ReceiptService(ReceiptStore store, RoomService rooms, AccountDataService accountData, Notifier notifier,
                          Clock clock) {
        this.store = store;
        this.rooms = rooms;
        this.accountData = accountData;
        this.notifier = notifier;
        this.clock = clock;
    }

    /** Registers a listener told of every {@code m.read} and {@code m.read.private} receipt once it is stored. */
    public void listen(ReadReceiptListener listener) {
        listeners.add(listener);
    }

    /** Registers a listener told of every {@code m.read} receipt of a local user once it is stored. */
    public void listenPublic(PublicReceiptListener listener) {
        publicListeners.add(listener);
    }

    /**
     * Stores public receipts of a user of another server (spec: server-server-api "Receipts"), who the caller
     * checked is joined to the room, and wakes the room's syncs.
     */
    public void remote(String userId, String roomId, List<Receipt> receipts) {
        ReceiptStore.Saved saved = store.save(userId, roomId, receipts, Optional.empty());
        if (saved.receiptsPos() > 0) {
            notifier.advanced(SqlReceiptStore.STREAM, saved.receiptsPos(), List.of(roomId));
        }
    }

    /**
     * Moves the user's receipts and fully read marker in a room, in one transaction; {@code receipts} maps
     * {@code m.read} or {@code m.read.private} to the event id read up to.
     *
     * @throws MatrixException 403 when the user is not joined, 404 for an event not in the room, 400 for a thread
     *                         the event is not in
     */
    public void update(String userId, String roomId, Map<String, String> receipts, Optional<String> threadId,
                       Optional<String> fullyRead) {
        if (!"join".equals(rooms.currentMembership(roomId, userId))) {
            throw MatrixException.forbidden("You are not in room " + roomId);
        }
        RoomStore.Room room = rooms.requireRoom(roomId);
        long now = clock.millis();
        var toSave = new ArrayList<Receipt>();
        var readEvents = new LinkedHashMap<String, StoredEvent>();
        for (Map.Entry<String, String> receipt : receipts.entrySet()) {
            StoredEvent event = eventInRoom(room, receipt.getValue());
            if (threadId.isPresent() && !threadId.get().equals(MAIN_THREAD)) {
                requireInThread(event, threadId.get());
            }
            toSave.add(new Receipt(roomId, userId, receipt.getKey(), threadId, event.eventId(), now));
            readEvents.put(receipt.getKey(), event);
        }
        Optional<String> fullyReadContent = fullyRead.map(eventId -> Json.MAPPER.createObjectNode()
                .put("event_id", eventInRoom(room, eventId).eventId()).toString());
        ReceiptStore.Saved saved = store.save(userId, roomId, toSave, fullyReadContent);
        if (saved.accountDataPos() > 0) {
            accountData.changed(userId, saved.accountDataPos());
        }
        if (saved.receiptsPos() > 0) {
            // A private receipt concerns only its owner; a public one everyone in the room.
            notifier.advanced(SqlReceiptStore.STREAM, saved.receiptsPos(),
                    receipts.containsKey(READ) ? List.of(roomId, userId) : List.of(userId));
        }
        toSave.stream().filter(receipt -> receipt.type().equals(READ))
                .forEach(receipt -> publicListeners.forEach(listener -> listener.published(receipt)));
        readEvents.forEach((type, event) -> listeners.forEach(listener ->
                listener.readUpTo(userId, roomId, threadId.orElse(null), event.eventId(), event.streamPos())));
    }

    private StoredEvent eventInRoom(RoomStore.Room room, String eventId) {
        return rooms.store().event(eventId).filter(event -> event.roomNid() == room.nid())
                .orElseThrow(() -> MatrixException.notFound("Event " + eventId + " not found in this room"));
    }

    /** 400 unless the event is the thread's root or reaches it by an {@code m.thread} relation. */
    private void requireInThread(StoredEvent event, String threadRoot) {
        if (event.eventId().equals(threadRoot)) {
            return;
        }
        StoredEvent current = event;
        for (int hop = 0; hop < MAX_THREAD_HOPS && current != null; hop++) {
            JsonNode relation = content(current).path("m.relates_to");
            String parent = relation.path("event_id").asText(null);
            if (parent == null) {
                break;
            }
            if ("m.thread".equals(relation.path("rel_type").asText())) {
                if (parent.equals(threadRoot)) {
                    return;
                }
                break;
            }
            current = rooms.store().event(parent).orElse(null);
        }
        throw MatrixException.invalidParam("Event " + event.eventId() + " is not in thread " + threadRoot);
    }

    private static JsonNode content(StoredEvent event) {
        try {
            return Json.MAPPER.readTree(event.json()).path("content");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

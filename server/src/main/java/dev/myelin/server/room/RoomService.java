package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.storage.RoomStore.TxnKey;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.Notifier;
import dev.myelin.spec.auth.AuthEventSelector;
import dev.myelin.spec.auth.AuthorizationException;
import dev.myelin.spec.auth.EventAuthorizer;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.LocalEventFactory;
import dev.myelin.spec.event.MalformedPduException;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Creates events in local rooms: build (prev_events = forward extremities, depth, auth_events selected from the
 * current state) -> authorize against the current state -> hash and sign -> persist with the new state snapshot and
 * extremities in one transaction -> notify. All of it runs under the room's lock (one writer per room).
 */
public final class RoomService {
    static final StateKey CREATE = new StateKey("m.room.create", "");
    static final StateKey POWER_LEVELS = new StateKey("m.room.power_levels", "");
    static final StateKey JOIN_RULES = new StateKey("m.room.join_rules", "");
    static final StateKey HISTORY_VISIBILITY = new StateKey("m.room.history_visibility", "");

    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String serverName;
    private final RoomStore store;
    private final Notifier notifier;
    private final List<MembershipListener> membershipListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicLong lastCreateTimestamp = new java.util.concurrent.atomic.AtomicLong();
    private final LocalEventFactory factory;
    private final EventAuthorizer authorizer;
    // Two busy rooms on one stripe write one after the other: with 4,096 stripes (about 250 KB of locks), 20 busy
    // rooms each have a stripe of their own 95 times in 100 (256 stripes: 47 times).
    private final RoomLocks locks = new RoomLocks(4096);
    private final QueuedSends queued = new QueuedSends();
    // Parsed events are about 3 KB of heap each: 5,000 keep a sync page's and a send's working set for ~15 MB.
    private final LruCache<Long, Pdu> cache = new LruCache<>(5_000);
    private final StateCache stateCache = new StateCache(20_000);
    private final LruCache<Long, JoinedMembers> joinedMembers = new LruCache<>(2_000);
    private final List<RoomEventListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<RoomStore.Persisted>> localBatchListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile RemoteMembership remote;
    private volatile RemoteHistory history = (roomId, limit) -> 0;
    private final FullStateWaits fullState;
    private static final java.time.Duration MEMBERSHIP_WAIT = java.time.Duration.ofSeconds(60);
    private volatile java.util.function.Function<String, Map<String, String>> memberProfiles = userId -> Map.of();
    private volatile AliasNamespaces aliasNamespaces = AliasNamespaces.NONE;
    private volatile RemoteAliases remoteAliases = alias -> Optional.empty();
    private final RestrictedJoins restrictedJoins;

    public RoomService(String serverName, SigningKey key, RoomStore store, Notifier notifier, Clock clock) {
        this.serverName = serverName;
        this.store = store;
        this.notifier = notifier;
        this.clock = clock;
        this.factory = new LocalEventFactory(serverName, key);
        this.fullState = new FullStateWaits(store);
        this.authorizer = new EventAuthorizer(new dev.myelin.spec.auth.Ed25519ThirdPartyInviteSignatures());
        this.restrictedJoins = new RestrictedJoins(this);
    }

    /** Who is asked about unknown local aliases and may reserve some (application services). */
    public void aliasNamespaces(AliasNamespaces namespaces) {
        this.aliasNamespaces = namespaces;
    }

    public AliasNamespaces aliasNamespaces() {
        return aliasNamespaces;
    }

    /** The room a local alias names; an unknown one is asked about first (and looked up again). */
    public Optional<String> resolveAlias(String alias) {
        Optional<String> roomId = store.aliasRoom(alias);
        if (roomId.isEmpty() && aliasNamespaces.queryUnknown(alias)) {
            roomId = store.aliasRoom(alias);
        }
        return roomId;
    }

    /** How aliases of other servers are resolved (federation); without it they are unknown. */
    public void remoteAliases(RemoteAliases remote) {
        this.remoteAliases = remote;
    }

    /**
     * The room an alias names and servers to reach it through: this server for its own aliases, else what the
     * alias's server says.
     */
    public Optional<RemoteAliases.Resolved> lookupAlias(String alias) {
        if (alias.endsWith(":" + serverName)) {
            return resolveAlias(alias).map(roomId -> new RemoteAliases.Resolved(roomId, List.of(serverName)));
        }
        return remoteAliases.resolve(alias);
    }

    /** Registers a listener told of every event persisted in any room (local or received), after it commits. */
    public void addListener(RoomEventListener listener) {
        listeners.add(listener);
    }

    /** Registers a listener told of each batch of events this server created, as stored, before it is announced. */
    public void addLocalBatchListener(java.util.function.Consumer<RoomStore.Persisted> listener) {
        localBatchListeners.add(listener);
    }

    /** How local users join and leave rooms this server is not in (federation); without it they cannot. */
    public void remoteMemberships(RemoteMembership remote) {
        this.remote = remote;
    }

    /** Where history older than the room's first stored events comes from (federation); without it, nowhere. */
    public void remoteHistory(RemoteHistory history) {
        this.history = history;
    }

    /** Fetches up to {@code limit} events of the room's older history from other servers; the number stored. */
    public int backfill(String roomId, int limit) {
        return history.backfill(roomId, limit);
    }

    /**
     * Waits, at most {@code max}, for the full state of a room joined with partial state (MSC3706) to be fetched;
     * at once for other rooms.
     */
    public void awaitFullState(String roomId, java.time.Duration max) {
        fullState.await(roomId, max);
    }

    /** The room's full state is stored now: requests waiting for it go on. */
    public void fullStateReached(String roomId) {
        fullState.reached(roomId);
    }

    /** Runs {@code work} as the room's one writer. */
    <T> T withRoomLock(String roomId, java.util.function.Supplier<T> work) {
        return locks.withRoom(roomId, work);
    }

    EventAuthorizer authorizer() {
        return authorizer;
    }

    public void addMembershipListener(MembershipListener listener) {
        membershipListeners.add(listener);
    }

    /**
     * Where a join's member event takes its displayname and avatar_url from (the profile feature sets this; spec:
     * "m.room.member" displayname and avatar_url).
     */
    public void useMemberProfiles(java.util.function.Function<String, Map<String, String>> lookup) {
        this.memberProfiles = lookup;
    }

    /** The content of a join of {@code userId}: membership, reason, and the user's displayname and avatar_url. */
    public ObjectNode joinContent(String userId, String reason) {
        ObjectNode content = membershipContent("join", reason);
        memberProfiles.apply(userId).forEach(content::put);
        return content;
    }

    /**
     * A create event's timestamp, never the same twice in this process: from room version 12 the room id is the
     * create event's reference hash (MSC4291), so two identical creates in one millisecond would be one room.
     */
    private long nextCreateTimestamp() {
        return lastCreateTimestamp.updateAndGet(last -> Math.max(last + 1, clock.millis()));
    }

    public RoomStore store() {
        return store;
    }

    /** Who authorises joins to restricted rooms (also for other servers' users, at make_join and send_join). */
    public RestrictedJoins restrictedJoins() {
        return restrictedJoins;
    }

    public String serverName() {
        return serverName;
    }

    /** An event to create: a message when {@code stateKey} is null. */
    public record Draft(String sender, String type, String stateKey, ObjectNode content, String redacts) {
        public Draft(String sender, String type, String stateKey, ObjectNode content) {
            this(sender, type, stateKey, content, null);
        }
    }

    /**
     * The room being written to, with the state the events built so far have reached. State entries are read from
     * the store on first use and then kept here.
     */
    private final class Building {
        final RoomVersion version;
        String roomId;
        final long snapshot;
        List<String> prevEvents;
        long depth;
        final Map<StateKey, Optional<Pdu>> state = new HashMap<>();
        final List<EncodedPdu> built = new ArrayList<>();

        Building(RoomVersion version, String roomId, long snapshot, List<String> prevEvents, long depth) {
            this.version = version;
            this.roomId = roomId;
            this.snapshot = snapshot;
            this.prevEvents = prevEvents;
            this.depth = depth;
        }

        Map<StateKey, Pdu> lookup(Set<StateKey> keys) {
            var missing = new ArrayList<StateKey>();
            for (StateKey key : keys) {
                if (!state.containsKey(key)) {
                    missing.add(key);
                }
            }
            missing.removeIf(key -> {
                Optional<Pdu> cached = snapshot == 0 ? Optional.empty() : stateCache.get(snapshot, key);
                if (cached != null) {
                    state.put(key, cached);
                }
                return cached != null;
            });
            if (!missing.isEmpty()) {
                Map<StateKey, StoredEvent> found = store.state(snapshot, missing);
                for (StateKey key : missing) {
                    StoredEvent stored = found.get(key);
                    Optional<Pdu> entry = stored == null ? Optional.empty() : Optional.of(pdu(stored, version));
                    state.put(key, entry);
                    stateCache.put(snapshot, key, entry);
                }
            }
            var result = new LinkedHashMap<StateKey, Pdu>();
            for (StateKey key : keys) {
                state.get(key).ifPresent(pdu -> result.put(key, pdu));
            }
            return result;
        }

        /** The unsigned event for a draft at the end of the room; {@code authState} receives its auth state. */
        ObjectNode prepare(Draft draft, Map<StateKey, Pdu> authState) {
            var keys = new LinkedHashSet<StateKey>(AuthEventSelector.select(version, draft.type(), draft.stateKey(),
                    draft.sender(), draft.content()));
            boolean createImplied = version.authorization().roomIdFromCreateEvent();
            boolean isCreate = CREATE.type().equals(draft.type()) && "".equals(draft.stateKey());
            if (!isCreate) {
                var withCreate = new LinkedHashSet<>(keys);
                withCreate.add(CREATE);
                authState.putAll(lookup(withCreate));
            }
            ObjectNode json = Json.MAPPER.createObjectNode();
            json.put("type", draft.type());
            if (draft.stateKey() != null) {
                json.put("state_key", draft.stateKey());
            }
            json.put("sender", draft.sender());
            json.set("content", draft.content());
            if (draft.redacts() != null) {
                json.put("redacts", draft.redacts());
            }
            if (roomId != null) {
                json.put("room_id", roomId);
            }
            json.put("origin_server_ts", CREATE.type().equals(draft.type()) ? nextCreateTimestamp() : clock.millis());
            json.put("depth", Math.min(depth + 1, (1L << 53) - 1));
            ArrayNode prev = json.putArray("prev_events");
            ArrayNode auth = json.putArray("auth_events");
            boolean v1Format = version.eventFormat() == RoomVersion.EventFormat.V1_SERVER_GENERATED;
            for (String id : prevEvents) {
                prev.add(reference(id, v1Format));
            }
            for (StateKey key : keys) {
                Pdu authEvent = authState.get(key);
                if (authEvent != null && !(createImplied && key.equals(CREATE))) {
                    auth.add(reference(authEvent.eventId(), v1Format));
                }
            }
            return json;
        }

        EncodedPdu add(Draft draft) {
            Map<StateKey, Pdu> authState = new HashMap<>();
            ObjectNode json = prepare(draft, authState);
            EncodedPdu encoded;
            try {
                encoded = factory.create(json, version);
            } catch (MalformedPduException e) {
                if (e.getMessage() != null && e.getMessage().contains("larger than")) {
                    throw MatrixException.tooLarge("Event is larger than 65536 bytes");
                }
                throw MatrixException.badJson("Malformed event: " + e.getMessage());
            }
            try {
                authorizer.authorize(encoded.pdu(), authState);
            } catch (AuthorizationException e) {
                throw MatrixException.forbidden(e.getMessage());
            }
            if (roomId == null) {
                roomId = encoded.pdu().roomId();
            }
            if (encoded.pdu().isState()) {
                state.put(StateKey.of(encoded.pdu()), Optional.of(encoded.pdu()));
            }
            prevEvents = List.of(encoded.eventId());
            depth = encoded.pdu().depth();
            built.add(encoded);
            return encoded;
        }
    }

    private static JsonNode reference(String eventId, boolean v1Format) {
        if (!v1Format) {
            return Json.MAPPER.getNodeFactory().textNode(eventId);
        }
        // v1/v2 references are [event_id, {hashes}]; the hashes are informational and left empty.
        ArrayNode pair = Json.MAPPER.createArrayNode();
        pair.add(eventId);
        pair.addObject();
        return pair;
    }

    /**
     * Entries of a state snapshot, those it has of {@code keys}; cached per snapshot and key, as a snapshot never
     * changes once stored (read paths ask the same few keys of the same snapshots again and again: history
     * visibility and the reader's membership for each event shown).
     */
    public Map<StateKey, Pdu> stateEntries(long snapshot, List<StateKey> keys, RoomVersion version) {
        var result = new LinkedHashMap<StateKey, Pdu>();
        var missing = new ArrayList<StateKey>();
        for (StateKey key : keys) {
            Optional<Pdu> cached = snapshot == 0 ? Optional.empty() : stateCache.get(snapshot, key);
            if (cached == null) {
                missing.add(key);
            } else {
                cached.ifPresent(pdu -> result.put(key, pdu));
            }
        }
        if (!missing.isEmpty()) {
            Map<StateKey, StoredEvent> found = store.state(snapshot, missing);
            for (StateKey key : missing) {
                StoredEvent stored = found.get(key);
                Optional<Pdu> entry = stored == null ? Optional.empty() : Optional.of(pdu(stored, version));
                stateCache.put(snapshot, key, entry);
                entry.ifPresent(pdu -> result.put(key, pdu));
            }
        }
        return result;
    }

    private record JoinedMembers(long snapshot, List<String> userIds) {}

    /**
     * The users joined to the room now, in user id order. Cached per room and current snapshot: who is joined
     * changes only with the room's state, which moves its snapshot. A room with partial state (MSC3706) is read each
     * time, as completing its state adds members to the snapshot it has.
     */
    public List<String> joinedMembers(RoomStore.Room room) {
        boolean cacheable = !room.partialState() && room.currentSnapshot() != 0;
        JoinedMembers cached = cacheable ? joinedMembers.getIfPresent(room.nid()) : null;
        if (cached != null && cached.snapshot() == room.currentSnapshot()) {
            return cached.userIds();
        }
        List<String> userIds = store.members(room.roomId(), "join").stream().map(RoomStore.Membership::userId)
                .toList();
        if (cacheable) {
            joinedMembers.put(room.nid(), new JoinedMembers(room.currentSnapshot(), userIds));
        }
        return userIds;
    }

    /** The stored event as a Pdu of the room's version (cached by event nid). */
    public Pdu pdu(StoredEvent stored, RoomVersion version) {
        return cache.get(stored.nid(), () -> {
            try {
                return new Pdu(stored.eventId(), version, (ObjectNode) Json.MAPPER.readTree(stored.json()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public RoomStore.Room requireRoom(String roomId) {
        return store.room(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
    }

    public static RoomVersion version(RoomStore.Room room) {
        return RoomVersion.byId(room.version()).orElseThrow();
    }

    /**
     * Sends one event to an existing room; returns its event id. With a txn already used, the earlier event id.
     * Sends that arrive while the room's writer is busy are written together with this one (see
     * {@link QueuedSends}).
     */
    public String send(String roomId, Draft draft, Optional<TxnKey> txn) {
        if ("m.room.member".equals(draft.type())) {
            // A partial state (MSC3706) lacks the target's membership: invites, kicks and leaves wait for the resync.
            fullState.await(roomId, MEMBERSHIP_WAIT);
        }
        var send = new QueuedSends.Send(draft, txn);
        queued.add(roomId, send);
        locks.withRoom(roomId, () -> {
            if (!send.answered()) {
                writeQueued(roomId, queued.take(roomId));
            }
            return null;
        });
        return send.eventId();
    }

    /**
     * Writes the sends queued for a room as one batch, in order, each event after the previous: each draft is
     * checked on its own, so a refused one fails alone; a transaction id used before answers with its event, and
     * one used twice in the batch is written once (spec: client-server-api "Transaction identifiers"). Every send
     * is answered before the room's lock is given back.
     */
    private void writeQueued(String roomId, List<QueuedSends.Send> sends) {
        try {
            List<QueuedSends.Send> unanswered = sends;
            while (!unanswered.isEmpty()) {
                try {
                    writeBatch(roomId, unanswered);
                    return;
                } catch (RoomStore.DuplicateTransactionException reused) {
                    // A client's retry of a send this server stored: it gets that event, the others are written.
                    Map<TxnKey, String> earlier = store.sentBefore(
                            unanswered.stream().flatMap(send -> send.txn().stream()).distinct().toList());
                    if (earlier.isEmpty()) {
                        throw reused;
                    }
                    for (QueuedSends.Send send : unanswered) {
                        send.txn().map(earlier::get).ifPresent(send::answer);
                    }
                    unanswered = unanswered.stream().filter(send -> !send.answered()).toList();
                }
            }
        } catch (RuntimeException failure) {
            sends.stream().filter(send -> !send.answered()).forEach(send -> send.fail(failure));
        }
    }

    /**
     * Builds and writes sends after the room's end (as the last send left it: nothing is read for a send that
     * follows another, and the auth events come from the state cache, or are read apart, a snapshot never changing
     * once stored).
     *
     * @throws RoomStore.DuplicateTransactionException when a transaction id was used before; nothing is written
     */
    private void writeBatch(String roomId, List<QueuedSends.Send> sends) {
        RoomStore.RoomEnd end = requireEnd(roomId);
        Building building = open(end);
        var txns = new LinkedHashMap<String, TxnKey>();
        var built = new LinkedHashMap<QueuedSends.Send, String>();
        var repeats = new LinkedHashMap<QueuedSends.Send, QueuedSends.Send>();
        var byTxn = new HashMap<TxnKey, QueuedSends.Send>();
        for (QueuedSends.Send send : sends) {
            TxnKey key = send.txn().orElse(null);
            if (key != null && byTxn.containsKey(key)) {
                repeats.put(send, byTxn.get(key));
                continue;
            }
            if (key != null) {
                byTxn.put(key, send);
            }
            try {
                String eventId = building.add(send.draft()).eventId();
                built.put(send, eventId);
                if (key != null) {
                    txns.put(eventId, key);
                }
            } catch (RuntimeException refused) {
                send.fail(refused);
            }
        }
        if (!built.isEmpty()) {
            persist(building, end, txns);
        }
        built.forEach(QueuedSends.Send::answer);
        repeats.forEach(QueuedSends.Send::answerAs);
    }

    /**
     * An unsigned event for another server to finish and sign (spec: server-server-api make_join, make_leave,
     * make_knock): prev_events, depth and auth_events at the end of the room, checked against the current state.
     *
     * @throws MatrixException M_FORBIDDEN when the current state would not allow it
     */
    public ObjectNode template(String roomId, Draft draft) {
        RoomStore.Room room = requireRoom(roomId);
        Building building = open(room);
        Map<StateKey, Pdu> authState = new HashMap<>();
        ObjectNode json = building.prepare(draft, authState);
        ObjectNode checked = json;
        if (draft.content().path("join_authorised_via_users_server").asText().endsWith(":" + serverName)) {
            // This server signs a restricted join it authorises at send_join (v8+ rule 4.2.1): check it as signed.
            checked = json.deepCopy();
            checked.putObject("signatures").putObject(serverName);
        }
        try {
            authorizer.authorize(new Pdu("$template", building.version, checked), authState);
        } catch (AuthorizationException e) {
            throw MatrixException.forbidden(e.getMessage());
        }
        return json;
    }

    /** Sends several events to an existing room, each after the previous, in one transaction. */
    public List<String> sendAll(String roomId, List<Draft> drafts) {
        return locks.withRoom(roomId, () -> {
            RoomStore.RoomEnd end = requireEnd(roomId);
            Building building = open(end);
            var ids = new ArrayList<String>();
            for (Draft draft : drafts) {
                ids.add(building.add(draft).eventId());
            }
            persist(building, end, Map.of());
            return ids;
        });
    }

    private RoomStore.RoomEnd requireEnd(String roomId) {
        return store.roomEnd(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
    }

    private Building open(RoomStore.Room room) {
        return open(new RoomStore.RoomEnd(room, store.extremities(room.nid())));
    }

    private Building open(RoomStore.RoomEnd end) {
        RoomStore.Room room = end.room();
        return new Building(version(room), room.roomId(), room.currentSnapshot(), end.extremities().eventIds(),
                end.extremities().depth());
    }

    private void persist(String roomId, String version, String creator, List<EncodedPdu> events) {
        RoomStore.Persisted persisted = store.persist(roomId, version, creator, events, Map.of());
        announce(persisted, events.stream().map(EncodedPdu::pdu).toList(), true);
    }

    /** Creates a room from what was built, and keeps the state it reached as the state of its first snapshot. */
    private void persist(Building building, String creator) {
        persisted(building, store.persist(building.roomId, building.version.id(), creator, building.built, Map.of()));
    }

    /**
     * Persists what was built after the room's end, read under its lock; keeps the state it reached as the state of
     * the room's new snapshot.
     */
    private void persist(Building building, RoomStore.RoomEnd end, Map<String, TxnKey> txns) {
        persisted(building, store.persist(end, building.built, txns));
    }

    private void persisted(Building building, RoomStore.Persisted persisted) {
        remember(building, persisted);
        announce(persisted, pdus(building.built), true);
    }

    private void remember(Building building, RoomStore.Persisted persisted) {
        if (persisted.events().getFirst().stateBefore() == building.snapshot) {
            long snapshot = persisted.room().currentSnapshot();
            building.state.forEach((key, event) -> stateCache.put(snapshot, key, event));
        }
    }

    /** Wakes the room's members, and the target of a membership change who may not be one (an invite). */
    void announce(RoomStore.Persisted persisted, List<Pdu> events, boolean local) {
        if (local) {
            localBatchListeners.forEach(listener -> listener.accept(persisted));
        }
        announce(persisted.room(), persisted.lastStreamPos(), events, local);
    }

    private void announce(RoomStore.Room room, long streamPos, List<Pdu> events, boolean local) {
        String roomId = room.roomId();
        var audience = new java.util.HashSet<String>();
        audience.add(roomId);
        for (Pdu event : events) {
            if ("m.room.member".equals(event.type()) && event.stateKey() != null) {
                audience.add(event.stateKey());
            }
        }
        notifier.advanced(SqlRoomStore.EVENTS, streamPos, audience);
        for (Pdu event : events) {
            if ("m.room.member".equals(event.type()) && event.stateKey() != null) {
                String membership = event.content().path("membership").asText("leave");
                membershipListeners.forEach(l -> l.membershipChanged(roomId, event.stateKey(), membership));
            }
        }
        for (RoomEventListener listener : listeners) {
            listener.persisted(room, events, local);
        }
    }

    /**
     * Creates a room from its create event content and the drafts that follow it (membership of the creator,
     * power levels, presets, ...), all authorized in order and persisted in one transaction.
     *
     * @param followUps builds the drafts once the room id is known
     */
    public String createRoom(RoomVersion version, String creator, ObjectNode createContent,
                             java.util.function.Function<String, List<Draft>> followUps) {
        Building building = newRoom(version, creator, createContent);
        String roomId = building.roomId;
        return locks.withRoom(roomId, () -> {
            for (Draft draft : followUps.apply(roomId)) {
                building.add(draft);
            }
            persist(building, creator);
            return roomId;
        });
    }

    private Building newRoom(RoomVersion version, String creator, ObjectNode createContent) {
        String provisionalId = version.authorization().roomIdFromCreateEvent()
                ? null : "!" + randomId() + ":" + serverName;
        Building building = new Building(version, provisionalId, 0, List.of(), 0);
        building.add(new Draft(creator, CREATE.type(), "", createContent));
        return building;
    }

    /**
     * Replaces a room with a new one in one transaction (spec: client-server-api "Room Upgrades"): the new room (its
     * create event and {@code followUps}), then in the old room the tombstone naming it and {@code ifAllowed}, each
     * left out when the auth rules refuse it. Runs under the old room's lock. The new room's lock is not taken: its
     * id is unknown to anyone until the transaction commits, and taking a second stripe could deadlock two upgrades.
     */
    String replaceRoom(String oldRoomId, RoomVersion version, String creator, ObjectNode createContent,
                       java.util.function.Function<String, List<Draft>> followUps,
                       java.util.function.Function<String, Draft> tombstone, List<Draft> ifAllowed) {
        return locks.withRoom(oldRoomId, () -> {
            Building created = newRoom(version, creator, createContent);
            String roomId = created.roomId;
            followUps.apply(roomId).forEach(created::add);
            RoomStore.Room old = requireRoom(oldRoomId);
            Building closing = open(old);
            closing.add(tombstone.apply(roomId));
            for (Draft draft : ifAllowed) {
                try {
                    closing.add(draft);
                } catch (MatrixException refused) {
                    if (refused.status() != 403) {
                        throw refused;
                    }
                }
            }
            List<RoomStore.Persisted> persisted = store.persistUpgrade(
                    new RoomStore.RoomEvents(roomId, version.id(), creator, created.built),
                    new RoomStore.RoomEvents(old.roomId(), old.version(), old.creator(), closing.built));
            remember(created, persisted.getFirst());
            remember(closing, persisted.getLast());
            announce(persisted.getFirst(), pdus(created.built), true);
            announce(persisted.getLast(), pdus(closing.built), true);
            return roomId;
        });
    }

    private static List<Pdu> pdus(List<EncodedPdu> events) {
        return events.stream().map(EncodedPdu::pdu).toList();
    }

    private static String randomId() {
        var id = new StringBuilder(18);
        for (int i = 0; i < 18; i++) {
            id.append(ID_CHARS.charAt(RANDOM.nextInt(ID_CHARS.length())));
        }
        return id.toString();
    }

    /**
     * Redacts an event (spec: redaction.yaml). The sender may redact their own events; others' events need the
     * redact power level. From v11 "redacts" is in the content, before it is a top-level key.
     */
    public String redact(String roomId, String sender, String targetId, String reason, Optional<TxnKey> txn) {
        RoomStore.Room room = requireRoom(roomId);
        RoomVersion version = version(room);
        Optional<StoredEvent> target = store.event(targetId).filter(e -> e.roomNid() == room.nid());
        if (target.isPresent() && !sender.equals(pdu(target.get(), version).sender())) {
            var state = new HashMap<StateKey, Pdu>();
            store.state(room.currentSnapshot(), List.of(CREATE, POWER_LEVELS))
                    .forEach((key, stored) -> state.put(key, pdu(stored, version)));
            var authState = new dev.myelin.spec.auth.AuthState(version, state);
            if (authState.powerOf(sender) < authState.powerLevels().redactLevel()) {
                throw MatrixException.forbidden("You may not redact other users' events");
            }
        }
        ObjectNode content = Json.MAPPER.createObjectNode();
        if (version.redaction().v11Rules()) {
            content.put("redacts", targetId);
        }
        if (reason != null) {
            content.put("reason", reason);
        }
        return send(roomId, new Draft(sender, "m.room.redaction", null, content,
                version.redaction().v11Rules() ? null : targetId), txn);
    }

    /** The room's current power levels as the auth rules read them (creators included). */
    public dev.myelin.spec.auth.AuthState powerState(RoomStore.Room room) {
        RoomVersion version = version(room);
        return new dev.myelin.spec.auth.AuthState(version,
                stateEntries(room.currentSnapshot(), List.of(CREATE, POWER_LEVELS), version));
    }

    /**
     * Records a membership of a local user in a room this server is not in: an invite received over federation
     * (with its stripped state), or the leave that rejected it.
     */
    public void recordRemoteMembership(String roomId, RoomVersion version, EncodedPdu event, byte[] strippedState) {
        store.recordRemoteMembership(roomId, version.id(), event, strippedState);
        announce(store.room(roomId).orElseThrow(), store.event(event.eventId()).orElseThrow().streamPos(),
                List.of(event.pdu()), false);
    }

    // ---- Membership ----

    private static ObjectNode membershipContent(String membership, String reason) {
        ObjectNode content = Json.MAPPER.createObjectNode().put("membership", membership);
        if (reason != null) {
            content.put("reason", reason);
        }
        return content;
    }

    public String currentMembership(String roomId, String userId) {
        return store.membership(roomId, userId).map(RoomStore.Membership::membership).orElse("leave");
    }

    /** Joins a local room; nothing is sent when the user is already joined. */
    public String join(String roomId, String userId, String reason) {
        return join(roomId, userId, reason, List.of());
    }

    /**
     * Joins a room: locally when this server is in it, else through one of {@code via} (or the server of the room id
     * or of the invite), over federation.
     */
    public String join(String roomId, String userId, String reason, List<String> via) {
        if (!participates(roomId)) {
            var servers = new LinkedHashSet<String>(via);
            invitingServer(roomId, userId).ifPresent(servers::add);
            int colon = roomId.indexOf(':');
            if (colon > 0) {
                servers.add(roomId.substring(colon + 1));
            }
            servers.remove(serverName);
            if (remote == null || servers.isEmpty()) {
                throw MatrixException.notFound("Unknown room " + roomId);
            }
            remote.join(roomId, userId, List.copyOf(servers), reason);
            return roomId;
        }
        RoomStore.Room room = requireRoom(roomId);
        if ("join".equals(currentMembership(roomId, userId))) {
            return roomId;
        }
        ObjectNode content = joinContent(userId, reason);
        restrictedJoins.authoriser(room, userId)
                .ifPresent(authoriser -> content.put("join_authorised_via_users_server", authoriser));
        send(roomId, new Draft(userId, "m.room.member", userId, content), Optional.empty());
        return roomId;
    }

    /**
     * Whether this server is in the room: it has the room's state, and a local user is joined or nobody is (a local
     * room everyone left). Otherwise its copy of the state may be stale and memberships go through another server.
     */
    private boolean participates(String roomId) {
        Optional<RoomStore.Room> room = store.room(roomId);
        if (room.isEmpty() || room.get().currentSnapshot() == 0) {
            return false;
        }
        String suffix = ":" + serverName;
        List<RoomStore.Membership> joined = store.members(roomId, "join");
        return joined.isEmpty() || joined.stream().anyMatch(m -> m.userId().endsWith(suffix));
    }

    /** The server of whoever invited the user, when the user's membership is an invite from another server. */
    private Optional<String> invitingServer(String roomId, String userId) {
        return store.membership(roomId, userId).filter(m -> "invite".equals(m.membership()))
                .flatMap(m -> store.event(m.eventNid()))
                .map(event -> {
                    try {
                        return Json.MAPPER.readTree(event.json()).path("sender").asText("");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .map(sender -> sender.substring(sender.indexOf(':') + 1))
                .filter(server -> !server.equals(serverName));
    }

    /**
     * Knocks on a local room (spec: knocking.yaml); the join rule (knock, knock_restricted) and the room version are
     * checked by the authorization rules. Knocking again while the knock stands sends nothing. A room this server is
     * not in is knocked on through one of {@code via} (or the room id's server), over federation.
     */
    public void knock(String roomId, String userId, String reason, List<String> via) {
        if (!participates(roomId) && remote != null) {
            if ("knock".equals(currentMembership(roomId, userId))) {
                return;
            }
            var servers = new LinkedHashSet<String>(via);
            int colon = roomId.indexOf(':');
            if (colon > 0) {
                servers.add(roomId.substring(colon + 1));
            }
            servers.remove(serverName);
            if (servers.isEmpty()) {
                throw MatrixException.notFound("Unknown room " + roomId);
            }
            remote.knock(roomId, userId, List.copyOf(servers), reason);
            return;
        }
        requireRoom(roomId);
        switch (currentMembership(roomId, userId)) {
            case "knock" -> { }
            case "join" -> throw MatrixException.forbidden(userId + " is already in the room");
            case "invite" -> throw MatrixException.forbidden(userId + " is already invited to the room");
            case "ban" -> throw MatrixException.forbidden(userId + " is banned from the room");
            default -> send(roomId, new Draft(userId, "m.room.member", userId, membershipContent("knock", reason)),
                    Optional.empty());
        }
    }

    public void invite(String roomId, String sender, String target, String reason) {
        requireRoom(roomId);
        String membership = currentMembership(roomId, target);
        if ("join".equals(membership) || "ban".equals(membership)) {
            throw MatrixException.forbidden(target + " is " + ("join".equals(membership) ? "already in the room" : "banned"));
        }
        if ("invite".equals(membership)) {
            return;
        }
        // The invitee's profile, so clients can show who was invited (as Synapse does for its own users).
        ObjectNode content = membershipContent("invite", reason);
        memberProfiles.apply(target).forEach(content::put);
        Draft draft = new Draft(sender, "m.room.member", target, content);
        if (remote == null || target.endsWith(":" + serverName)) {
            send(roomId, draft, Optional.empty());
            return;
        }
        // A user of another server: that server signs the invite too before it is stored (spec: server-server-api
        // "Inviting to a room"). The room stays locked meanwhile, so the invite still extends its extremities.
        locks.withRoom(roomId, () -> {
            RoomStore.Room room = requireRoom(roomId);
            Building building = open(room);
            EncodedPdu invite = building.add(draft);
            EncodedPdu signed = remote.invite(roomId, version(room), invite, strippedState(room));
            persist(room.roomId(), room.version(), room.creator(), List.of(signed));
            return null;
        });
    }

    private static final List<StateKey> STRIPPED_STATE = List.of(CREATE, JOIN_RULES,
            new StateKey("m.room.name", ""), new StateKey("m.room.avatar", ""), new StateKey("m.room.topic", ""),
            new StateKey("m.room.canonical_alias", ""), new StateKey("m.room.encryption", ""));

    /** The room's stripped state for an invitee (spec: client-server-api "Stripped state"). */
    private ArrayNode strippedState(RoomStore.Room room) {
        ArrayNode events = Json.MAPPER.createArrayNode();
        for (StoredEvent stored : store.state(room.currentSnapshot(), STRIPPED_STATE).values()) {
            Pdu pdu = pdu(stored, version(room));
            ObjectNode event = events.addObject();
            event.put("type", pdu.type());
            event.put("state_key", pdu.stateKey());
            event.put("sender", pdu.sender());
            event.set("content", pdu.content());
        }
        return events;
    }

    public void leave(String roomId, String userId, String reason) {
        Optional<String> inviter = invitingServer(roomId, userId);
        if (!participates(roomId) && inviter.isPresent() && remote != null) {
            remote.leave(roomId, userId, List.of(inviter.get()), reason);
            return;
        }
        List<String> knockedThrough = knockServers(roomId, userId);
        if (!participates(roomId) && !knockedThrough.isEmpty() && remote != null) {
            remote.leave(roomId, userId, knockedThrough, reason);
            return;
        }
        requireRoom(roomId);
        String membership = currentMembership(roomId, userId);
        if ("leave".equals(membership)) {
            return;
        }
        send(roomId, new Draft(userId, "m.room.member", userId, membershipContent("leave", reason)), Optional.empty());
    }

    /**
     * The servers that may rescind a knock on a room this server is not in: the room id's and those of the senders
     * of the stripped state the knock was answered with.
     */
    private List<String> knockServers(String roomId, String userId) {
        Optional<RoomStore.Membership> knock = store.membership(roomId, userId)
                .filter(m -> "knock".equals(m.membership()));
        if (knock.isEmpty()) {
            return List.of();
        }
        var servers = new LinkedHashSet<String>();
        int colon = roomId.indexOf(':');
        if (colon > 0) {
            servers.add(roomId.substring(colon + 1));
        }
        store.inviteRoomState(knock.get().eventNid()).ifPresent(json -> {
            try {
                Json.MAPPER.readTree(json).forEach(event -> {
                    String sender = event.path("sender").asText("");
                    if (sender.indexOf(':') > 0) {
                        servers.add(sender.substring(sender.indexOf(':') + 1));
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        servers.remove(serverName);
        return List.copyOf(servers);
    }

    public void kick(String roomId, String sender, String target, String reason) {
        requireRoom(roomId);
        String membership = currentMembership(roomId, target);
        if (!"join".equals(membership) && !"invite".equals(membership) && !"knock".equals(membership)) {
            throw MatrixException.forbidden(target + " is not in the room");
        }
        send(roomId, new Draft(sender, "m.room.member", target, membershipContent("leave", reason)), Optional.empty());
    }

    public void ban(String roomId, String sender, String target, String reason) {
        requireRoom(roomId);
        send(roomId, new Draft(sender, "m.room.member", target, membershipContent("ban", reason)), Optional.empty());
    }

    public void unban(String roomId, String sender, String target, String reason) {
        requireRoom(roomId);
        if (!"ban".equals(currentMembership(roomId, target))) {
            throw MatrixException.forbidden(target + " is not banned");
        }
        send(roomId, new Draft(sender, "m.room.member", target, membershipContent("leave", reason)), Optional.empty());
    }

    public void forget(String roomId, String userId) {
        String membership = currentMembership(roomId, userId);
        if ("join".equals(membership) || "invite".equals(membership) || "knock".equals(membership)) {
            throw new MatrixException(400, ErrorCode.M_UNKNOWN, "Leave the room before forgetting it");
        }
        store.forget(roomId, userId);
    }
}

package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A test DSL for room DAGs. Events are named by short node names ("PA", "T1"); each new event gets
 * prev_events from the nodes given, auth_events chosen by {@link AuthEventSelector} from the state
 * before it (the prev states resolved with the room's own algorithm), a depth and a rising
 * origin_server_ts. Events are recorded whether or not they would pass auth, as a DAG received
 * over federation would be.
 */
final class RoomGraph {
    static final String ALICE = "@alice:example.com";
    static final String BOB = "@bob:example.com";
    static final String CHARLIE = "@charlie:example.com";
    static final String EVELYN = "@evelyn:example.com";
    static final String ZARA = "@zara:example.com";

    static final StateKey TOPIC = new StateKey("m.room.topic", "");
    static final StateKey POWER_LEVELS = new StateKey("m.room.power_levels", "");
    static final StateKey JOIN_RULES = new StateKey("m.room.join_rules", "");

    static final EventAuthorizer AUTHORIZER = new EventAuthorizer((signed, keys) -> false);

    private final RoomVersion version;
    private final Map<String, Pdu> events = new HashMap<>();
    private final Map<String, Map<StateKey, String>> stateAfter = new HashMap<>();
    private final Set<String> rejected = new HashSet<>();
    private long clock;

    RoomGraph(RoomVersion version) {
        this.version = version;
    }

    /**
     * The room every scenario starts from: Alice creates it, joins, sets power levels (herself 100
     * before v12, where creators may not be listed) and a public join rule; Bob, Charlie and Zara
     * join; Zara sends START.
     */
    static RoomGraph standard(RoomVersion version) {
        var graph = new RoomGraph(version);
        graph.create("CREATE", ALICE);
        graph.member("IMA", ALICE, ALICE, "join", "CREATE");
        graph.powerLevels("IPOWER", ALICE, Map.of(ALICE, 100), "IMA");
        graph.state("IJR", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "public"), "IPOWER");
        graph.member("IMB", BOB, BOB, "join", "IJR");
        graph.member("IMC", CHARLIE, CHARLIE, "join", "IMB");
        graph.member("IMZ", ZARA, ZARA, "join", "IMC");
        graph.message("START", ZARA, "IMZ");
        return graph;
    }

    RoomVersion version() { return version; }

    /** The event id of a node: "$NAME:example.com", or "$NAME" from v12 where ids carry no server. */
    String id(String node) {
        return version.authorization().roomIdFromCreateEvent() ? "$" + node : "$" + node + ":example.com";
    }

    String roomId() {
        return version.authorization().roomIdFromCreateEvent() ? "!CREATE" : "!room:example.com";
    }

    Pdu create(String node, String sender) {
        return create(node, sender, Json.obj());
    }

    Pdu create(String node, String sender, ObjectNode extraContent) {
        ObjectNode content = Json.obj("room_version", version.id());
        if (!version.authorization().creatorFromSender()) {
            content.put("creator", sender);
        }
        content.setAll(extraContent);
        return state(node, sender, "m.room.create", "", content);
    }

    Pdu member(String node, String sender, String target, String membership, String... prevs) {
        return state(node, sender, "m.room.member", target, Json.obj("membership", membership), prevs);
    }

    /** Power levels with these user levels; v12 creators are left out, as the auth rules require. */
    Pdu powerLevels(String node, String sender, Map<String, Integer> users, String... prevs) {
        return state(node, sender, "m.room.power_levels", "", Json.obj("users", creatorsOmitted(users)), prevs);
    }

    Map<String, Integer> creatorsOmitted(Map<String, Integer> users) {
        var kept = new LinkedHashMap<>(users);
        if (version.authorization().privilegedCreators()) {
            kept.remove(ALICE);
        }
        return kept;
    }

    Pdu topic(String node, String sender, String... prevs) {
        return state(node, sender, "m.room.topic", "", Json.obj("topic", node), prevs);
    }

    Pdu message(String node, String sender, String... prevs) {
        return add(node, sender, "m.room.message", null, Json.obj("body", node), prevs);
    }

    Pdu state(String node, String sender, String type, String stateKey, ObjectNode content, String... prevs) {
        return add(node, sender, type, stateKey, content, prevs);
    }

    private Pdu add(String node, String sender, String type, String stateKey, ObjectNode content, String[] prevs) {
        var before = stateBefore(prevs);
        ObjectNode json = Json.obj("type", type, "sender", sender, "content", content,
                "origin_server_ts", clock++, "depth", depth(prevs));
        boolean isCreate = type.equals("m.room.create");
        if (!(isCreate && version.authorization().roomIdFromCreateEvent())) {
            json.put("room_id", roomId());
        }
        if (stateKey != null) {
            json.put("state_key", stateKey);
        }
        var prevIds = new ArrayList<String>();
        for (String prev : prevs) {
            prevIds.add(id(prev));
        }
        var authIds = new ArrayList<String>();
        if (!isCreate) {
            for (StateKey key : AuthEventSelector.select(version, type, stateKey, sender, content)) {
                if (before.containsKey(key)) {
                    authIds.add(before.get(key));
                }
            }
        }
        json.set("prev_events", Json.MAPPER.valueToTree(prevIds));
        json.set("auth_events", Json.MAPPER.valueToTree(authIds));
        json.set("signatures", Json.obj("example.com", Json.obj("ed25519:1", "sig")));
        Pdu event = new Pdu(id(node), version, json);
        events.put(event.eventId(), event);
        var after = new HashMap<>(before);
        if (stateKey != null) {
            after.put(new StateKey(type, stateKey), event.eventId());
        }
        stateAfter.put(node, after);
        return event;
    }

    private long depth(String[] prevs) {
        long depth = 0;
        for (String prev : prevs) {
            depth = Math.max(depth, pdu(prev).depth() + 1);
        }
        return depth;
    }

    private Map<StateKey, String> stateBefore(String[] prevs) {
        if (prevs.length == 0) {
            return new HashMap<>();
        }
        var sets = new ArrayList<Map<StateKey, String>>();
        for (String prev : prevs) {
            sets.add(stateAfter(prev));
        }
        return sets.size() == 1 ? new HashMap<>(sets.getFirst()) : resolve(sets);
    }

    Map<StateKey, String> resolve(List<Map<StateKey, String>> stateSets) {
        return new StateResolver(AUTHORIZER).resolve(version, stateSets, lookup());
    }

    /** A copy of a node's event under a new name, changed by {@code change}; it changes no state. */
    Pdu edit(String node, String newNode, Consumer<ObjectNode> change) {
        ObjectNode json = pdu(node).json().deepCopy();
        change.accept(json);
        Pdu event = new Pdu(id(newNode), version, json);
        events.put(event.eventId(), event);
        return event;
    }

    /** Marks an event as rejected on receipt. */
    void reject(String node) { rejected.add(id(node)); }

    Pdu pdu(String node) {
        Pdu event = events.get(id(node));
        if (event == null) {
            throw new IllegalArgumentException("no node " + node);
        }
        return event;
    }

    Map<StateKey, String> stateAfter(String node) {
        Map<StateKey, String> state = stateAfter.get(node);
        if (state == null) {
            throw new IllegalArgumentException("no node " + node);
        }
        return state;
    }

    /** The state after a node as events, for {@link EventAuthorizer#authorize(Pdu, Map)}. */
    Map<StateKey, Pdu> stateEventsAfter(String node) {
        var state = new HashMap<StateKey, Pdu>();
        stateAfter(node).forEach((key, id) -> state.put(key, events.get(id)));
        return state;
    }

    /** The node names of the state entries at {@code end} that differ from those at {@code start}. */
    Set<String> changedBetween(String start, String end) {
        var changed = new HashSet<String>();
        Map<StateKey, String> before = stateAfter(start);
        stateAfter(end).forEach((key, id) -> {
            if (!id.equals(before.get(key))) {
                changed.add(node(id));
            }
        });
        return changed;
    }

    /** The node name of an event id. */
    String node(String eventId) {
        String local = eventId.substring(1);
        int colon = local.indexOf(':');
        return colon < 0 ? local : local.substring(0, colon);
    }

    EventLookup lookup() {
        return new EventLookup() {
            @Override public Pdu get(String eventId) { return events.get(eventId); }

            @Override public boolean isRejected(String eventId) { return rejected.contains(eventId); }
        };
    }
}

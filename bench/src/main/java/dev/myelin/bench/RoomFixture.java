package dev.myelin.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.auth.AuthEventSelector;
import dev.myelin.spec.auth.EventLookup;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds linear runs of room events for benchmarks: each event's auth events are picked from the
 * state of the run so far, as a homeserver would.
 */
final class RoomFixture {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    final RoomVersion version;
    final Map<String, Pdu> events = new HashMap<>();
    private final String roomId;
    private long clock;
    private int counter;

    RoomFixture(RoomVersion version) {
        this.version = version;
        this.roomId = version.authorization().roomIdFromCreateEvent() ? "!create" : "!room:bench.org";
    }

    EventLookup lookup() {
        return events::get;
    }

    /** A run of events on top of {@code state}, which it updates; prev is the last event id. */
    final class Run {
        final Map<StateKey, String> state;
        String last;

        Run(Map<StateKey, String> state, String last) {
            this.state = state;
            this.last = last;
        }

        Run fork() {
            return new Run(new HashMap<>(state), last);
        }

        Pdu add(String sender, String type, String stateKey, ObjectNode content) {
            boolean create = type.equals("m.room.create");
            String id = create && version.authorization().roomIdFromCreateEvent() ? "$create" : "$e" + counter++ + ":bench.org";
            ObjectNode json = MAPPER.createObjectNode();
            json.put("type", type).put("sender", sender).put("origin_server_ts", clock++).put("depth", clock);
            if (!(create && version.authorization().roomIdFromCreateEvent())) {
                json.put("room_id", roomId);
            }
            if (stateKey != null) {
                json.put("state_key", stateKey);
            }
            json.set("content", content);
            json.set("prev_events", MAPPER.valueToTree(last == null ? List.of() : List.of(last)));
            var auth = MAPPER.createArrayNode();
            if (!create) {
                for (StateKey key : AuthEventSelector.select(version, type, stateKey, sender, content)) {
                    String authId = state.get(key);
                    if (authId != null) {
                        auth.add(authId);
                    }
                }
            }
            json.set("auth_events", auth);
            json.set("signatures", MAPPER.createObjectNode().set("bench.org", MAPPER.createObjectNode()));
            Pdu event = new Pdu(id, version, json);
            events.put(id, event);
            if (stateKey != null) {
                state.put(new StateKey(type, stateKey), id);
            }
            last = id;
            return event;
        }

        Pdu member(String sender, String target, String membership) {
            return add(sender, "m.room.member", target, MAPPER.createObjectNode().put("membership", membership));
        }
    }

    Run start() {
        return new Run(new HashMap<>(), null);
    }

    static String user(int n) {
        return "@user" + n + ":bench.org";
    }

    /** A public room created by {@code creator} (power 100 before v12, a creator from v12). */
    Run publicRoom(String creator) {
        Run run = start();
        ObjectNode create = MAPPER.createObjectNode().put("room_version", version.id());
        if (!version.authorization().creatorFromSender()) {
            create.put("creator", creator);
        }
        run.add(creator, "m.room.create", "", create);
        run.member(creator, creator, "join");
        ObjectNode users = MAPPER.createObjectNode();
        if (!version.authorization().privilegedCreators()) {
            users.put(creator, 100);
        }
        run.add(creator, "m.room.power_levels", "", MAPPER.createObjectNode().set("users", users));
        run.add(creator, "m.room.join_rules", "", MAPPER.createObjectNode().put("join_rule", "public"));
        return run;
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}

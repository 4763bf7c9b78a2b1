package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.auth.AuthState;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * POST /rooms/{roomId}/upgrade (spec: client-server-api "Room Upgrades", "Server behaviour"): a new room whose
 * create event names its predecessor, the transferable state and bans copied, local aliases and the directory
 * listing moved, a tombstone in the old room and its power levels restricted so people stop talking there.
 *
 * <p>Everything is read and written under the old room's lock, and written in one transaction (the new room, the old
 * room's closing events, the alias and directory moves): a failure anywhere leaves both rooms as they were.
 */
public final class RoomUpgrade {
    /** State copied as is: the spec's recommended list, the canonical alias (local aliases move too), pinned events. */
    private static final List<String> TRANSFERRED = List.of("m.room.server_acl", "m.room.encryption",
            "m.room.name", "m.room.avatar", "m.room.topic", "m.room.guest_access", "m.room.history_visibility",
            "m.room.join_rules", "m.room.canonical_alias", "m.room.pinned_events");
    private static final StateKey TOMBSTONE = new StateKey("m.room.tombstone", "");
    private static final StateKey CANONICAL_ALIAS = new StateKey("m.room.canonical_alias", "");

    private final RoomService rooms;
    private final RoomStore store;

    public RoomUpgrade(RoomService rooms) {
        this.rooms = rooms;
        this.store = rooms.store();
    }

    /** Returns the replacement room's id. */
    public String upgrade(String oldRoomId, String user, RoomVersion newVersion, List<String> additionalCreators) {
        return rooms.withRoomLock(oldRoomId, () -> upgradeLocked(oldRoomId, user, newVersion, additionalCreators));
    }

    private String upgradeLocked(String oldRoomId, String user, RoomVersion newVersion,
                                 List<String> additionalCreators) {
        RoomStore.Room old = rooms.requireRoom(oldRoomId);
        RoomVersion oldVersion = RoomService.version(old);
        AuthState power = rooms.powerState(old);
        if (!"join".equals(rooms.currentMembership(oldRoomId, user))
                || power.powerOf(user) < power.powerLevels().requiredLevel(TOMBSTONE.type(), true)) {
            throw MatrixException.forbidden("You may not send m.room.tombstone in this room");
        }
        Map<StateKey, StoredEvent> state = store.state(old.currentSnapshot());
        if (state.containsKey(TOMBSTONE)) {
            throw new MatrixException(400, ErrorCode.M_BAD_STATE, "The room has already been upgraded");
        }
        boolean newCreatorsPrivileged = newVersion.authorization().privilegedCreators();
        if (!additionalCreators.isEmpty() && !newCreatorsPrivileged) {
            throw MatrixException.invalidParam("Room version " + newVersion.id() + " has no additional creators");
        }
        Pdu oldCreate = pdu(state.get(RoomService.CREATE), oldVersion);
        String lastEvent = store.forwardExtremities(old.nid()).getLast();

        ObjectNode createContent = Json.MAPPER.createObjectNode();
        createContent.put("room_version", newVersion.id());
        if (!newVersion.authorization().creatorFromSender()) {
            createContent.put("creator", user);
        }
        for (String copied : List.of("type", "m.federate")) {
            if (oldCreate.content().has(copied)) {
                createContent.set(copied, oldCreate.content().get(copied));
            }
        }
        ObjectNode predecessor = createContent.putObject("predecessor").put("room_id", oldRoomId);
        // From v12 the predecessor's event_id may be left out (spec v1.16); earlier versions name the last event.
        if (!newCreatorsPrivileged) {
            predecessor.put("event_id", lastEvent);
        }
        if (newCreatorsPrivileged && !additionalCreators.isEmpty()) {
            ArrayNode creators = createContent.putArray("additional_creators");
            new LinkedHashSet<>(additionalCreators).stream().filter(c -> !c.equals(user)).forEach(creators::add);
        }
        Set<String> newCreators = new LinkedHashSet<>(List.of(user));
        createContent.path("additional_creators").forEach(c -> newCreators.add(c.asText()));

        ObjectNode powerLevels = newPowerLevels(state, oldVersion, power, newCreatorsPrivileged, newCreators);
        return rooms.replaceRoom(oldRoomId, newVersion, user, createContent, roomId -> {
            var drafts = new ArrayList<RoomService.Draft>();
            drafts.add(new RoomService.Draft(user, "m.room.member", user, membership("join")));
            // The upgrader may need more power than the old levels give them to copy everything (v12 creators
            // have it anyway): raise them first, restore the copied levels last.
            ObjectNode raised = powerLevels.deepCopy();
            boolean raise = !newCreatorsPrivileged;
            if (raise) {
                raised.withObjectProperty("users").put(user, highestLevel(powerLevels));
            }
            drafts.add(new RoomService.Draft(user, RoomService.POWER_LEVELS.type(), "", raise ? raised : powerLevels));
            for (String type : TRANSFERRED) {
                StoredEvent event = state.get(new StateKey(type, ""));
                if (event != null && event.redactedBy() == null) {
                    drafts.add(new RoomService.Draft(user, type, "", pdu(event, oldVersion).content().deepCopy()));
                }
            }
            for (var entry : store.stateOfTypes(old.currentSnapshot(), Set.of("m.room.member")).entrySet()) {
                Pdu member = pdu(entry.getValue(), oldVersion);
                if ("ban".equals(member.content().path("membership").asText())) {
                    ObjectNode ban = membership("ban");
                    if (member.content().path("reason").isTextual()) {
                        ban.set("reason", member.content().get("reason"));
                    }
                    drafts.add(new RoomService.Draft(user, "m.room.member", entry.getKey().stateKey(), ban));
                }
            }
            if (raise && !raised.equals(powerLevels)) {
                drafts.add(new RoomService.Draft(user, RoomService.POWER_LEVELS.type(), "", powerLevels));
            }
            return drafts;
        }, newRoomId -> tombstone(user, newRoomId), closingDrafts(state, oldVersion, user));
    }

    /**
     * The old power levels for the new room. Creators of a v12+ room are not listed in its power levels (they have
     * infinite power); going from a v12+ room to an older version, the old creators get 100.
     */
    private ObjectNode newPowerLevels(Map<StateKey, StoredEvent> state, RoomVersion oldVersion, AuthState power,
                                      boolean newCreatorsPrivileged, Set<String> newCreators) {
        StoredEvent event = state.get(RoomService.POWER_LEVELS);
        ObjectNode content = event == null ? Json.MAPPER.createObjectNode()
                : pdu(event, oldVersion).content().deepCopy();
        ObjectNode users = content.withObjectProperty("users");
        if (oldVersion.authorization().privilegedCreators() && !newCreatorsPrivileged) {
            power.creators().forEach(creator -> users.put(creator, 100));
        }
        if (newCreatorsPrivileged) {
            newCreators.forEach(users::remove);
        }
        return content;
    }

    /** The highest level named anywhere in the power levels, and at least 100. */
    private static long highestLevel(ObjectNode powerLevels) {
        long highest = 100;
        for (JsonNode value : List.of(powerLevels, powerLevels.path("events"), powerLevels.path("users"))) {
            for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
                JsonNode level = it.next();
                if (level.isIntegralNumber()) {
                    highest = Math.max(highest, level.asLong());
                }
            }
        }
        return highest;
    }

    private static RoomService.Draft tombstone(String user, String newRoomId) {
        ObjectNode tombstone = Json.MAPPER.createObjectNode()
                .put("body", "This room has been replaced").put("replacement_room", newRoomId);
        return new RoomService.Draft(user, TOMBSTONE.type(), "", tombstone);
    }

    /**
     * What follows the tombstone in the old room when the user may send it: its power levels raised so that ordinary
     * members can neither talk nor invite (spec: the greater of 50 and users_default + 1), and its canonical alias
     * cleared as the aliases move.
     */
    private List<RoomService.Draft> closingDrafts(Map<StateKey, StoredEvent> state, RoomVersion version, String user) {
        var drafts = new ArrayList<RoomService.Draft>();
        StoredEvent levelsEvent = state.get(RoomService.POWER_LEVELS);
        if (levelsEvent != null) {
            ObjectNode levels = pdu(levelsEvent, version).content().deepCopy();
            long restricted = Math.max(50, levels.path("users_default").asLong(0) + 1);
            levels.put("events_default", Math.max(levels.path("events_default").asLong(0), restricted));
            levels.put("invite", Math.max(levels.path("invite").asLong(0), restricted));
            drafts.add(new RoomService.Draft(user, RoomService.POWER_LEVELS.type(), "", levels));
        }
        if (state.containsKey(CANONICAL_ALIAS)) {
            drafts.add(new RoomService.Draft(user, CANONICAL_ALIAS.type(), "", Json.MAPPER.createObjectNode()));
        }
        return drafts;
    }

    private Pdu pdu(StoredEvent event, RoomVersion version) {
        return rooms.pdu(event, version);
    }

    private static ObjectNode membership(String membership) {
        return Json.MAPPER.createObjectNode().put("membership", membership);
    }
}

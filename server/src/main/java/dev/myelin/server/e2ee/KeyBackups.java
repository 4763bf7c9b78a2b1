package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.KeyBackupStore;
import dev.myelin.server.storage.KeyBackupStore.Backup;
import dev.myelin.server.storage.KeyBackupStore.RoomKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Server-side key backups (spec: end_to_end_encryption "Server-side key backups", key_backup.yaml). */
public final class KeyBackups {
    private final KeyBackupStore store;

    public KeyBackups(KeyBackupStore store) {
        this.store = store;
    }

    /** POST /room_keys/version: returns the new version. */
    public String create(String userId, ObjectNode body) {
        String algorithm = requiredString(body, "algorithm");
        ObjectNode authData = requiredObject(body, "auth_data");
        return Long.toString(store.create(userId, algorithm, SignedKeys.text(authData)));
    }

    /** GET /room_keys/version[/{version}]. */
    public ObjectNode info(String userId, Optional<String> version) {
        Optional<Backup> backup = version.isEmpty() ? store.latest(userId)
                : parseVersion(version.get()).flatMap(v -> store.get(userId, v));
        return render(backup.orElseThrow(() -> MatrixException.notFound("No backup found")));
    }

    /** PUT /room_keys/version/{version}: only auth_data changes; a differing algorithm or version is refused. */
    public void update(String userId, String version, ObjectNode body) {
        long number = parseVersion(version).orElseThrow(() -> MatrixException.notFound("No backup found"));
        Backup backup = store.get(userId, number).orElseThrow(() -> MatrixException.notFound("No backup found"));
        if (body.has("version") && !body.path("version").asText().equals(version)) {
            throw MatrixException.invalidParam("'version' does not match the path");
        }
        String algorithm = requiredString(body, "algorithm");
        if (!algorithm.equals(backup.algorithm())) {
            throw MatrixException.invalidParam("The algorithm of a backup cannot change");
        }
        if (!store.update(userId, number, SignedKeys.text(requiredObject(body, "auth_data")))) {
            throw MatrixException.notFound("No backup found");
        }
    }

    public void delete(String userId, String version) {
        long number = parseVersion(version).orElseThrow(() -> MatrixException.notFound("No backup found"));
        if (!store.delete(userId, number)) {
            throw MatrixException.notFound("No backup found");
        }
    }

    /**
     * PUT /room_keys/keys[/{roomId}[/{sessionId}]]: keys go only into the latest version (else 403
     * M_WRONG_ROOM_KEYS_VERSION with {@code current_version}); returns etag and count.
     */
    public Map<String, Object> put(String userId, String version, Optional<String> roomId,
                                   Optional<String> sessionId, ObjectNode body) {
        List<RoomKey> keys = parseKeys(roomId, sessionId, body);
        Optional<Long> number = parseVersion(version);
        Optional<Backup> after = number.isEmpty() ? Optional.empty() : store.put(userId, number.get(), keys);
        if (after.isEmpty()) {
            Optional<Backup> latest = store.latest(userId);
            if (latest.isEmpty()) {
                throw MatrixException.notFound("No backup version " + version);
            }
            throw new MatrixException(403, ErrorCode.M_WRONG_ROOM_KEYS_VERSION,
                    "Keys can only be added to the latest backup version",
                    Map.of("current_version", Long.toString(latest.get().version())));
        }
        return Map.of("etag", Long.toString(after.get().etag()), "count", after.get().count());
    }

    private static List<RoomKey> parseKeys(Optional<String> roomId, Optional<String> sessionId, ObjectNode body) {
        var keys = new ArrayList<RoomKey>();
        if (sessionId.isPresent()) {
            keys.add(roomKey(roomId.orElseThrow(), sessionId.get(), body));
            return keys;
        }
        if (roomId.isPresent()) {
            addSessions(keys, roomId.get(), requiredObject(body, "sessions"));
            return keys;
        }
        ObjectNode rooms = requiredObject(body, "rooms");
        for (var room : rooms.properties()) {
            if (!room.getValue().isObject()) {
                throw MatrixException.badJson("'rooms' values must be objects");
            }
            addSessions(keys, room.getKey(), requiredObject((ObjectNode) room.getValue(), "sessions"));
        }
        return keys;
    }

    private static void addSessions(List<RoomKey> keys, String roomId, ObjectNode sessions) {
        for (var session : sessions.properties()) {
            if (!session.getValue().isObject()) {
                throw MatrixException.badJson("'sessions' values must be objects");
            }
            keys.add(roomKey(roomId, session.getKey(), (ObjectNode) session.getValue()));
        }
    }

    private static RoomKey roomKey(String roomId, String sessionId, ObjectNode json) {
        return new RoomKey(roomId, sessionId, requiredCount(json, "first_message_index"),
                requiredCount(json, "forwarded_count"), requiredBoolean(json, "is_verified"),
                SignedKeys.text(requiredObject(json, "session_data")));
    }

    /** GET /room_keys/keys[/{roomId}[/{sessionId}]]. */
    public ObjectNode get(String userId, String version, Optional<String> roomId, Optional<String> sessionId) {
        long number = parseVersion(version).orElseThrow(() -> MatrixException.notFound("No backup found"));
        if (store.get(userId, number).isEmpty()) {
            throw MatrixException.notFound("No backup found");
        }
        List<RoomKey> keys = store.keys(userId, number, roomId, sessionId);
        if (sessionId.isPresent()) {
            if (keys.isEmpty()) {
                throw MatrixException.notFound("No such session in the backup");
            }
            return renderKey(keys.getFirst());
        }
        ObjectNode rooms = Json.MAPPER.createObjectNode();
        for (RoomKey key : keys) {
            rooms.withObjectProperty(key.roomId()).withObjectProperty("sessions").set(key.sessionId(), renderKey(key));
        }
        if (roomId.isPresent()) {
            ObjectNode room = rooms.path(roomId.get()) instanceof ObjectNode found ? found
                    : Json.MAPPER.createObjectNode();
            room.withObjectProperty("sessions");
            return room;
        }
        ObjectNode response = Json.MAPPER.createObjectNode();
        response.set("rooms", rooms);
        return response;
    }

    /** DELETE /room_keys/keys[/{roomId}[/{sessionId}]]: returns etag and count. */
    public Map<String, Object> deleteKeys(String userId, String version, Optional<String> roomId,
                                          Optional<String> sessionId) {
        long number = parseVersion(version).orElseThrow(() -> MatrixException.notFound("No backup found"));
        Backup after = store.deleteKeys(userId, number, roomId, sessionId)
                .orElseThrow(() -> MatrixException.notFound("No backup found"));
        return Map.of("etag", Long.toString(after.etag()), "count", after.count());
    }

    private static ObjectNode render(Backup backup) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("algorithm", backup.algorithm());
        json.set("auth_data", SignedKeys.parse(backup.authData()));
        json.put("count", backup.count());
        json.put("etag", Long.toString(backup.etag()));
        json.put("version", Long.toString(backup.version()));
        return json;
    }

    private static ObjectNode renderKey(RoomKey key) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("first_message_index", key.firstMessageIndex());
        json.put("forwarded_count", key.forwardedCount());
        json.put("is_verified", key.verified());
        json.set("session_data", SignedKeys.parse(key.sessionData()));
        return json;
    }

    /** Versions are decimal numbers this server made; anything else names no backup. */
    private static Optional<Long> parseVersion(String version) {
        if (version.isEmpty() || version.length() > 18 || !version.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(version));
    }

    private static String requiredString(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw MatrixException.missingParam("Missing '" + field + "'");
        }
        if (!value.isTextual()) {
            throw MatrixException.badJson("'" + field + "' must be a string");
        }
        return value.asText();
    }

    private static ObjectNode requiredObject(ObjectNode body, String field) {
        ObjectNode value = SignedKeys.object(body, field);
        if (value == null) {
            throw MatrixException.missingParam("Missing '" + field + "'");
        }
        return value;
    }

    private static long requiredCount(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw MatrixException.missingParam("Missing '" + field + "'");
        }
        if (!value.isIntegralNumber() || value.asLong() < 0) {
            throw MatrixException.badJson("'" + field + "' must be a non-negative integer");
        }
        return value.asLong();
    }

    private static boolean requiredBoolean(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw MatrixException.missingParam("Missing '" + field + "'");
        }
        if (!value.isBoolean()) {
            throw MatrixException.badJson("'" + field + "' must be a boolean");
        }
        return value.asBoolean();
    }
}

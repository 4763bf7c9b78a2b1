package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.NotificationStore;
import dev.myelin.server.storage.NotificationStore.Listed;

import java.util.List;

/** GET /notifications (spec: notifications.yaml): the events the user was notified about, newest first. */
public final class NotificationsEndpoint {
    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;

    private final Authenticator authenticator;
    private final NotificationStore store;
    private final RoomService rooms;
    private final RoomReader reader;

    public NotificationsEndpoint(Authenticator authenticator, NotificationStore store, RoomService rooms,
                                 RoomReader reader) {
        this.authenticator = authenticator;
        this.store = store;
        this.rooms = rooms;
        this.reader = reader;
    }

    public void register(Router router) {
        router.add("GET", Router.CLIENT_V3_AND_R0, "/notifications", this::list);
    }

    private MatrixResponse list(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        long before = request.query("from").map(from -> parse(from, "from")).orElse(Long.MAX_VALUE);
        int limit = (int) Math.min(MAX_LIMIT,
                request.query("limit").map(value -> parse(value, "limit")).orElse((long) DEFAULT_LIMIT));
        if (limit < 1) {
            throw MatrixException.invalidParam("'limit' must be positive");
        }
        String only = request.query("only").orElse(null);
        if (only != null && !only.equals("highlight")) {
            throw MatrixException.invalidParam("'only' must be highlight");
        }
        List<Listed> rows = store.notifications(requester.userId(), before, limit, only != null);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode notifications = body.putArray("notifications");
        for (Listed row : rows) {
            var stored = rooms.store().event(row.eventId());
            var room = rooms.store().room(row.roomId());
            if (stored.isEmpty() || room.isEmpty()) {
                continue;
            }
            var version = RoomService.version(room.get());
            ObjectNode notification = notifications.addObject();
            notification.set("actions", row.actions());
            notification.set("event", reader.clientEvent(reader.load(stored.get(), version), version));
            notification.put("read", row.read());
            notification.put("room_id", row.roomId());
            notification.put("ts", row.ts());
        }
        if (rows.size() == limit) {
            body.put("next_token", Long.toString(rows.getLast().id()));
        }
        return MatrixResponse.ok(body);
    }

    private static long parse(String value, String name) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'" + name + "' must be a number");
        }
    }
}

package dev.myelin.server.client;

import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Endpoint;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.RoomVersion;

import java.util.LinkedHashMap;

/**
 * GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event (spec: room_event_by_timestamp.yaml): the visible event
 * closest to a timestamp in one direction, by origin_server_ts.
 */
public final class TimestampToEventEndpoint implements Endpoint {
    public static final String PATH = "/_matrix/client/v1/rooms/{roomId}/timestamp_to_event";
    /** Events looked at past invisible ones before answering 404. */
    private static final int CANDIDATES = 100;

    private final Authenticator authenticator;
    private final RoomService rooms;
    private final RoomReader reader;

    public TimestampToEventEndpoint(Authenticator authenticator, RoomService rooms, RoomReader reader) {
        this.authenticator = authenticator;
        this.rooms = rooms;
        this.reader = reader;
    }

    @Override
    public MatrixResponse handle(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        String tsText = request.query("ts").orElseThrow(() -> MatrixException.missingParam("Missing 'ts'"));
        long ts;
        try {
            ts = Long.parseLong(tsText);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'ts' must be an integer");
        }
        String dir = request.query("dir").orElseThrow(() -> MatrixException.missingParam("Missing 'dir'"));
        if (!dir.equals("f") && !dir.equals("b")) {
            throw MatrixException.invalidParam("'dir' must be f or b");
        }
        RoomStore.Room room = rooms.store().room(request.pathParam("roomId"))
                .orElseThrow(() -> MatrixException.forbidden("You are not in this room"));
        if (rooms.store().membership(room.roomId(), requester.userId()).isEmpty() && !reader.worldReadable(room)) {
            throw MatrixException.forbidden("You are not in this room");
        }
        RoomVersion version = RoomService.version(room);
        RoomReader.VisibilityCheck visibility = reader.visibility(requester.userId(), room);
        for (StoredEvent stored : rooms.store().closestByTimestamp(room.nid(), ts, dir.equals("f"), CANDIDATES)) {
            RoomReader.Event event = reader.load(stored, version);
            if (visibility.canSee(event)) {
                var body = new LinkedHashMap<String, Object>();
                body.put("event_id", event.pdu().eventId());
                body.put("origin_server_ts", event.pdu().originServerTs());
                return MatrixResponse.ok(body);
            }
        }
        throw MatrixException.notFound("No event found " + (dir.equals("f") ? "after" : "before") + " " + ts);
    }
}

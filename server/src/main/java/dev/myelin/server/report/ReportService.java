package dev.myelin.server.report;

import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RoomReader;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.ReportStore;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.user.AccountService;

import java.time.Clock;
import java.util.Optional;

/**
 * Reporting content (spec: client-server-api "Reporting content", report_content.yaml). An event report needs the
 * reporter joined to the room and able to see the event; a room report needs the room to exist; a user report the
 * user to be local (other servers' users cannot be checked yet). Reports are stored for server admins.
 */
public final class ReportService {
    /** A reason longer than this is refused, so reports stay readable and small. */
    static final int MAX_REASON_LENGTH = 4096;

    private final RoomService rooms;
    private final RoomReader reader;
    private final AccountService accounts;
    private final ReportStore store;
    private final Clock clock;

    public ReportService(RoomService rooms, RoomReader reader, AccountService accounts, ReportStore store,
                         Clock clock) {
        this.rooms = rooms;
        this.reader = reader;
        this.accounts = accounts;
        this.store = store;
        this.clock = clock;
    }

    public ReportStore store() {
        return store;
    }

    public void reportEvent(String reporter, String roomId, String eventId, Optional<String> reason,
                            Optional<Integer> score) {
        check(reason);
        if (score.isPresent() && (score.get() < -100 || score.get() > 0)) {
            throw MatrixException.invalidParam("'score' must be between -100 and 0");
        }
        MatrixException notFound = MatrixException.notFound(
                "The event was not found or you are not joined to the room.");
        RoomStore.Room room = rooms.store().room(roomId).orElseThrow(() -> notFound);
        if (!"join".equals(rooms.currentMembership(roomId, reporter))) {
            throw notFound;
        }
        RoomStore.StoredEvent stored = rooms.store().event(eventId)
                .filter(event -> event.roomNid() == room.nid() && !event.rejected() && event.redactedBy() == null)
                .orElseThrow(() -> notFound);
        if (!reader.visibility(reporter, room).canSee(reader.load(stored, RoomService.version(room)))) {
            throw notFound;
        }
        store.add(ReportStore.Kind.EVENT, clock.millis(), reporter, roomId, eventId, null, reason.orElse(null),
                score.orElse(null));
    }

    public void reportRoom(String reporter, String roomId, Optional<String> reason) {
        check(reason);
        rooms.store().room(roomId).orElseThrow(() -> MatrixException.notFound("The room was not found."));
        store.add(ReportStore.Kind.ROOM, clock.millis(), reporter, roomId, null, null, reason.orElse(null), null);
    }

    public void reportUser(String reporter, String userId, Optional<String> reason) {
        check(reason);
        if (accounts.find(userId).isEmpty()) {
            throw MatrixException.notFound("The user was not found.");
        }
        store.add(ReportStore.Kind.USER, clock.millis(), reporter, null, null, userId, reason.orElse(null), null);
    }

    private static void check(Optional<String> reason) {
        if (reason.isPresent() && reason.get().length() > MAX_REASON_LENGTH) {
            throw MatrixException.invalidParam("'reason' is longer than " + MAX_REASON_LENGTH + " characters");
        }
    }
}

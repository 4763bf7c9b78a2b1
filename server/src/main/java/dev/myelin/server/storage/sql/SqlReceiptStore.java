package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.ReceiptStore;
import dev.myelin.server.storage.StreamName;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

public final class SqlReceiptStore implements ReceiptStore {
    public static final StreamName STREAM = StreamName.of("receipts");
    /** The room ids bound in one query of {@link #ofRooms}. */
    private static final int ROOMS_PER_QUERY = 500;
    private static final String COLUMNS = "room_id, user_id, receipt_type, thread_id, event_id, ts, stream_pos";

    private final Database database;

    public SqlReceiptStore(Database database) {
        this.database = database;
    }

    @Override
    public Saved save(String userId, String roomId, List<Receipt> receipts, Optional<String> fullyReadContent) {
        return database.write(c -> {
            long receiptsPos = 0;
            for (Receipt receipt : receipts) {
                receiptsPos = SqlStreamPositions.next(c, STREAM);
                Jdbc.update(c, """
                        INSERT INTO receipts (room_id, user_id, receipt_type, thread_id, event_id, ts, stream_pos)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (room_id, user_id, receipt_type, thread_id)
                        DO UPDATE SET event_id = excluded.event_id, ts = excluded.ts, stream_pos = excluded.stream_pos""",
                        receipt.roomId(), receipt.userId(), receipt.type(), receipt.threadId().orElse(""),
                        receipt.eventId(), receipt.ts(), receiptsPos);
            }
            long accountDataPos = 0;
            if (fullyReadContent.isPresent()) {
                accountDataPos = SqlAccountDataStore.upsert(c, userId, roomId, "m.fully_read", fullyReadContent.get());
            }
            return new Saved(receiptsPos, accountDataPos);
        });
    }

    @Override
    public List<Stored> changed(long since, long upTo) {
        return database.read(c -> Jdbc.queryList(c, "SELECT " + COLUMNS
                        + " FROM receipts WHERE stream_pos > ? AND stream_pos <= ? ORDER BY stream_pos",
                SqlReceiptStore::stored, since, upTo));
    }

    @Override
    public List<Stored> ofRooms(Collection<String> roomIds) {
        if (roomIds.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(roomIds);
        return database.read(c -> {
            var out = new ArrayList<Stored>();
            for (int from = 0; from < ids.size(); from += ROOMS_PER_QUERY) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + ROOMS_PER_QUERY));
                String marks = Jdbc.marks(chunk.size());
                out.addAll(Jdbc.queryList(c, "SELECT " + COLUMNS + " FROM receipts WHERE room_id IN (" + marks
                        + ") ORDER BY stream_pos", SqlReceiptStore::stored, chunk.toArray()));
            }
            return out;
        });
    }

    private static Stored stored(ResultSet row) throws SQLException {
        String thread = row.getString(4);
        return new Stored(new Receipt(row.getString(1), row.getString(2), row.getString(3),
                thread.isEmpty() ? Optional.empty() : Optional.of(thread), row.getString(5), row.getLong(6)),
                row.getLong(7));
    }

    @Override
    public long currentPosition() {
        return database.read(c -> SqlStreamPositions.current(c, STREAM));
    }
}

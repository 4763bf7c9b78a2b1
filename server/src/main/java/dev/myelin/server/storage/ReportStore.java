package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;

/** Reports of events, rooms and users (spec: report_content.yaml), for server admins to read. */
public interface ReportStore {

    enum Kind { EVENT, ROOM, USER }

    record Report(long id, Kind kind, long receivedTs, String reporter, Optional<String> roomId,
                  Optional<String> eventId, Optional<String> targetUserId, Optional<String> reason,
                  Optional<Integer> score) {}

    /** Stores a report; returns its id. */
    long add(Kind kind, long receivedTs, String reporter, String roomId, String eventId, String targetUserId,
             String reason, Integer score);

    /**
     * Reports of one kind, newest first unless {@code oldestFirst}, skipping {@code from}, optionally only those by
     * a reporter or about a room.
     */
    List<Report> list(Kind kind, int from, int limit, boolean oldestFirst, Optional<String> reporter,
                      Optional<String> roomId);

    long count(Kind kind, Optional<String> reporter, Optional<String> roomId);

    Optional<Report> find(long id);

    boolean delete(long id);
}

package dev.myelin.server.storage;

import dev.myelin.server.storage.RoomStore.StoredEvent;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Relationships between events (spec: client-server-api "Forming relationships between events"). The index is
 * written by {@link RoomStore#persist} in the same transaction as the child event; a redaction removes its target's
 * relation. Rows are kept whatever room the parent is in: every query here is scoped to one room, so a child in
 * another room than its parent is never returned.
 */
public interface RelationStore {

    /** One child event's relation to its parent. */
    record Relation(String eventId, String parentId, String relType, String eventType, String sender,
                    long streamPos, long originServerTs) {}

    /** The relation of a child event, if it has one. */
    Optional<Relation> relationOf(String eventId);

    /**
     * Children of the parents in a room by stream position, like {@link RoomStore#timeline}: {@code backwards} gives
     * positions {@code <= from} down to (exclusive) {@code to}, newest first, otherwise {@code > from} up to
     * (inclusive) {@code to}. {@code relType} and {@code eventType} narrow when not null.
     */
    List<StoredEvent> children(long roomNid, Collection<String> parentIds, String relType, String eventType,
                               long from, long to, boolean backwards, int limit);

    /**
     * Which of {@code parentIds} have children in the room with one of {@code relTypes}, and with which of them: one
     * index lookup per parent and type, so a caller can skip the queries for parents without children (most events).
     */
    Map<String, Set<String>> relTypesOf(long roomNid, Collection<String> parentIds, Collection<String> relTypes);

    /** Every relation of {@code relType} (any when null) to one of {@code parentIds} in the room, oldest first. */
    List<Relation> relationsTo(long roomNid, Collection<String> parentIds, String relType);

    /** A thread root's summary: replies counted, the latest one, and whether the user sent one. */
    record ThreadSummary(String rootId, long count, String latestEventId, boolean userReplied) {}

    /**
     * The m.thread summaries of the given roots in the room, leaving out replies sent by {@code ignoredSenders}
     * (spec: "Server-side aggregation of m.thread relationships"). Roots without replies are absent.
     */
    Map<String, ThreadSummary> threads(long roomNid, Collection<String> rootIds, String userId,
                                       Set<String> ignoredSenders);

    /** A thread root and the stream position of its latest reply. */
    record ThreadRoot(String rootId, long latestPos) {}

    /** The room's thread roots, most recently active first, whose latest reply is at a position {@code < before}. */
    List<ThreadRoot> threadRoots(long roomNid, long before, int limit);

    /** Whether the sender already annotated the parent with this event type and key (and it is not redacted). */
    boolean hasAnnotation(long roomNid, String parentId, String sender, String eventType, String key);
}

package dev.myelin.server.storage;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Full-text search of room events (spec: search.yaml). Indexed as events are persisted: the body of messages, the
 * name and topic of rooms (keys {@code content.body}, {@code content.name}, {@code content.topic}); encrypted
 * events have nothing to index, redacted events are dropped from the index.
 */
public interface SearchStore {

    String BODY = "content.body";
    String NAME = "content.name";
    String TOPIC = "content.topic";

    enum Order { RANK, RECENT }

    /** Counting stops here: the spec's count is approximate, and counting every match of a common word is slow. */
    int MAX_COUNT = 1_000;

    /** A match: the event, its room, and its place in the ranking (higher is better). */
    record Hit(long eventNid, long roomNid, double rank) {}

    /** Some matches, and how many events match in all (whatever the page), counted up to {@link #MAX_COUNT}. */
    record Page(List<Hit> hits, long count) {}

    /**
     * Matches of every word of {@code term} in the given rooms and keys. With {@link Order#RECENT} the newest (by
     * event nid, the order events were stored in) come first, starting below event nid {@code before} (0 for the
     * newest); with {@link Order#RANK} the best first, skipping the first {@code skip}. Rank order ranks only the
     * newest {@link #MAX_COUNT} matches (scoring every match of a very common word costs hundreds of
     * milliseconds); below that many the ranking is exact.
     */
    Page search(Collection<Long> roomNids, Set<String> keys, String term, Order order, long before, int skip,
                int limit);

    /**
     * Indexes up to {@code batch} of the events stored before the search index existed.
     *
     * @return false once every such event is indexed
     */
    boolean backfill(int batch);
}

package dev.myelin.server.search;

import dev.myelin.server.storage.SearchStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes, in the background after start, the events stored before the search index existed (the V9 migration
 * records which), one batch per transaction so writers are never held up long. Events persisted since are indexed
 * as they are stored.
 */
public final class SearchBackfill implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SearchBackfill.class);
    static final int BATCH = 1000;

    private final Thread worker;
    private volatile boolean closed;

    private SearchBackfill(SearchStore store) {
        this.worker = Thread.ofVirtual().name("search-backfill").start(() -> run(store));
    }

    public static SearchBackfill start(SearchStore store) {
        return new SearchBackfill(store);
    }

    private void run(SearchStore store) {
        try {
            int batches = 0;
            while (!closed && store.backfill(BATCH)) {
                batches++;
            }
            if (batches > 0) {
                LOG.info("Search index backfilled ({} batches)", batches);
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("Search backfill stopped; it resumes at the next start", e);
            }
        }
    }

    /** Waits for the backfill to finish (tests). */
    public void await() throws InterruptedException {
        worker.join();
    }

    @Override
    public void close() {
        closed = true;
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

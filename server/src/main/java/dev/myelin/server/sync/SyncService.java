package dev.myelin.server.sync;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Answers {@code /sync}: the rooms part from the events stream, then every registered {@link SyncContributor} and
 * {@link RoomDecorator}. Features register theirs while the homeserver is wired, before it serves requests.
 */
public final class SyncService {
    private final List<SyncContributor> contributors = new CopyOnWriteArrayList<>();
    private final List<RoomDecorator> decorators = new CopyOnWriteArrayList<>();

    public void register(SyncContributor contributor) {
        for (SyncContributor existing : contributors) {
            if (existing.stream().equals(contributor.stream())) {
                throw new IllegalArgumentException("two sync contributors for stream " + contributor.stream());
            }
        }
        contributors.add(contributor);
    }

    public void register(RoomDecorator decorator) {
        decorators.add(decorator);
    }
}

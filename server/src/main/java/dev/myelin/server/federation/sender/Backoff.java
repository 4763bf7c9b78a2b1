package dev.myelin.server.federation.sender;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off for an unreachable destination: the first retry after {@code initial}, each further one
 * twice as late, at most {@code max}, with up to 20% random spread so that destinations failing together do not
 * retry together.
 */
public record Backoff(Duration initial, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(10), Duration.ofHours(6));

    /** The delay before retrying after {@code failures} failures in a row (1 or more). */
    public long delayMs(int failures) {
        long base = initial.toMillis();
        for (int i = 1; i < failures && base < max.toMillis(); i++) {
            base *= 2;
        }
        base = Math.min(base, max.toMillis());
        return base + (base <= 1 ? 0 : ThreadLocalRandom.current().nextLong(base / 5 + 1));
    }
}

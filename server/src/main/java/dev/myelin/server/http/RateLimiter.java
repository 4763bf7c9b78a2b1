package dev.myelin.server.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets keyed by a string (an IP address, a user id): each action takes one token, and an
 * empty bucket answers 429 M_LIMIT_EXCEEDED with the time until the next token.
 */
public final class RateLimiter {
    private static final int SWEEP_THRESHOLD = 10_000;

    private final RateLimit limit;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public RateLimiter(RateLimit limit) {
        this(limit, System::nanoTime);
    }

    RateLimiter(RateLimit limit, LongSupplier nanoClock) {
        this.limit = limit;
        this.nanoClock = nanoClock;
    }

    /** Takes a token for {@code key} or throws M_LIMIT_EXCEEDED. */
    public void check(String key) {
        if (limit.unlimited()) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (buckets.size() > SWEEP_THRESHOLD) {
            buckets.values().removeIf(bucket -> bucket.isFull(now));
        }
        long waitNanos = buckets.computeIfAbsent(key, k -> new Bucket(limit, now)).take(now);
        if (waitNanos > 0) {
            throw MatrixException.limitExceeded(Math.max(1, (waitNanos + 999_999) / 1_000_000));
        }
    }

    private static final class Bucket {
        private final RateLimit limit;
        private double tokens;
        private long updatedNanos;

        Bucket(RateLimit limit, long now) {
            this.limit = limit;
            this.tokens = Math.max(1, limit.burst());
            this.updatedNanos = now;
        }

        /** Takes a token; returns 0 on success, otherwise the nanoseconds until one is available. */
        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / limit.perSecond() * 1e9);
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= Math.max(1, limit.burst());
        }

        private void refill(long now) {
            double elapsedSeconds = (now - updatedNanos) / 1e9;
            tokens = Math.min(Math.max(1, limit.burst()), tokens + elapsedSeconds * limit.perSecond());
            updatedNanos = now;
        }
    }
}

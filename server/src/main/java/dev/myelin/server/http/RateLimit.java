package dev.myelin.server.http;

/**
 * A token bucket's shape: {@code perSecond} tokens are added each second up to {@code burst}.
 * A rate of zero or less means no limit.
 */
public record RateLimit(double perSecond, int burst) {
    public static final RateLimit UNLIMITED = new RateLimit(0, 0);

    public boolean unlimited() {
        return perSecond <= 0;
    }
}

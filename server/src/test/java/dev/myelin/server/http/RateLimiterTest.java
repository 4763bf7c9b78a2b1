package dev.myelin.server.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RateLimiterTest {
    private final AtomicLong clock = new AtomicLong();

    @Test
    void allowsTheBurstThenRefusesWithTheWaitUntilTheNextToken() {
        var limiter = new RateLimiter(new RateLimit(2, 3), clock::get);
        limiter.check("ip");
        limiter.check("ip");
        limiter.check("ip");
        var refused = catchThrowableOfType(MatrixException.class, () -> limiter.check("ip"));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errcode()).isEqualTo(ErrorCode.M_LIMIT_EXCEEDED);
        assertThat(refused.extra()).containsEntry("retry_after_ms", 500L);
    }

    @Test
    void refillsOverTimeAndKeepsKeysApart() {
        var limiter = new RateLimiter(new RateLimit(1, 1), clock::get);
        limiter.check("a");
        limiter.check("b");
        assertThatThrownBy(() -> limiter.check("a")).isInstanceOf(MatrixException.class);
        clock.addAndGet(1_000_000_000L);
        limiter.check("a");
    }

    @Test
    void zeroRateMeansUnlimited() {
        var limiter = new RateLimiter(RateLimit.UNLIMITED, clock::get);
        for (int i = 0; i < 10_000; i++) {
            limiter.check("ip");
        }
    }
}

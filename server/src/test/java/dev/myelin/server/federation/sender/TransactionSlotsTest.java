package dev.myelin.server.federation.sender;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class TransactionSlotsTest {

    @Test
    void aSenderWaitsUntilASlotIsFree() throws Exception {
        var slots = new TransactionSlots(1, Duration.ofMinutes(1));
        TransactionSlots.Slot first = slots.take();

        CompletableFuture<TransactionSlots.Slot> second = CompletableFuture.supplyAsync(slots::take);
        Thread.sleep(100);
        assertThat(second).isNotDone();

        first.close();
        second.get(10, TimeUnit.SECONDS).close();
    }

    @Test
    void aSenderThatWaitedTooLongGoesWithoutASlotAndFreesNone() {
        var slots = new TransactionSlots(1, Duration.ofMillis(50));
        TransactionSlots.Slot held = slots.take();

        long start = System.nanoTime();
        TransactionSlots.Slot none = slots.take();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        none.close();
        held.close();

        // Closing the slot-less one freed nothing: the one slot is free again, and only one.
        TransactionSlots.Slot again = slots.take();
        start = System.nanoTime();
        slots.take().close();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        again.close();
    }
}

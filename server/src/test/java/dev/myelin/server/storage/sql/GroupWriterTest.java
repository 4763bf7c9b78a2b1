package dev.myelin.server.storage.sql;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class GroupWriterTest {

    private static Thread start(Runnable body) {
        return Thread.ofVirtual().start(body);
    }

    /** Waits until every thread is parked waiting for the writer's lock, i.e. its job is queued. */
    private static void awaitQueued(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threads.stream().anyMatch(thread -> thread.getState() != Thread.State.WAITING)) {
            assertThat(System.nanoTime()).as("jobs queued in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void jobsThatQueueWhileAGroupIsWrittenAreWrittenTogetherNext() throws Exception {
        var firstStarted = new CountDownLatch(1);
        var releaseFirst = new CountDownLatch(1);
        var groups = new CopyOnWriteArrayList<List<Integer>>();
        var writer = new GroupWriter<Integer, String>(jobs -> {
            groups.add(jobs);
            if (jobs.contains(0)) {
                firstStarted.countDown();
                await(releaseFirst);
            }
            return jobs.stream().map(job -> "done " + job).toList();
        });
        var results = new ConcurrentHashMap<Integer, String>();
        var threads = new ArrayList<Thread>();
        threads.add(start(() -> results.put(0, writer.write(0))));
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int job = 1; job <= 5; job++) {
            int each = job;
            threads.add(start(() -> results.put(each, writer.write(each))));
        }
        awaitQueued(threads.subList(1, threads.size()));
        releaseFirst.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(groups).hasSize(2);
        assertThat(groups.get(1)).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        assertThat(results).isEqualTo(Map.of(0, "done 0", 1, "done 1", 2, "done 2", 3, "done 3", 4, "done 4",
                5, "done 5"));
    }

    @Test
    void aJobThatFailsItsGroupIsWrittenAloneAndFailsAlone() throws Exception {
        var holdFirst = new CountDownLatch(1);
        var firstStarted = new CountDownLatch(1);
        var groups = new CopyOnWriteArrayList<List<Integer>>();
        var writer = new GroupWriter<Integer, Integer>(jobs -> {
            groups.add(jobs);
            if (jobs.contains(0)) {
                firstStarted.countDown();
                await(holdFirst);
            }
            if (jobs.contains(13)) {
                throw new IllegalArgumentException("13 cannot be written");
            }
            return jobs.stream().map(job -> job * 2).toList();
        });
        var outcomes = new ConcurrentHashMap<Integer, Object>();
        var threads = new ArrayList<Thread>();
        threads.add(start(() -> outcomes.put(0, writer.write(0))));
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int job : List.of(12, 13, 14)) {
            threads.add(start(() -> {
                try {
                    outcomes.put(job, writer.write(job));
                } catch (IllegalArgumentException e) {
                    outcomes.put(job, e);
                }
            }));
        }
        awaitQueued(threads.subList(1, threads.size()));
        holdFirst.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(groups).as("the failed group")
                .anySatisfy(group -> assertThat(group).containsExactlyInAnyOrder(12, 13, 14));
        assertThat(groups).as("then each job alone").contains(List.of(12), List.of(13), List.of(14));
        assertThat(outcomes.get(12)).isEqualTo(24);
        assertThat(outcomes.get(14)).isEqualTo(28);
        assertThat(outcomes.get(13)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anErrorReachesTheWriterAndLeavesTheNextGroupsToBeWritten() {
        var writer = new GroupWriter<Integer, Integer>(jobs -> {
            if (jobs.contains(1)) {
                throw new StackOverflowError("deep");
            }
            return jobs;
        });

        var thrown = new ArrayList<Throwable>();
        try {
            writer.write(1);
        } catch (StackOverflowError e) {
            thrown.add(e);
        }
        assertThat(thrown).hasSize(1);
        assertThat(writer.write(2)).isEqualTo(2);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.myelin.server.sync;

import dev.myelin.server.storage.StreamName;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps the highest position announced per stream and wakes the long-polls that listen on a changed room or user.
 * A {@link Listener} is registered before the caller reads the streams, so a change committed between the read and
 * the wait is not missed. Waiting parks a virtual thread (ReentrantLock and Condition do not pin it). It remembers
 * the highest position announced to each room and user per stream (one small map per id that was ever announced
 * to), so a listener can tell that nothing after its token concerned it ({@link Listener#heardNothingAfter}).
 */
public final class InProcessNotifier implements Notifier {
    /** The audience of a change announced without one: every listener. */
    private static final String EVERYONE = "";

    private final Map<StreamName, Long> positions = new ConcurrentHashMap<>();
    /** Per room id or user id (or {@link #EVERYONE}), the highest position announced to it per stream. */
    private final Map<String, Map<StreamName, Long>> announcedTo = new ConcurrentHashMap<>();
    /** Per stream, the first position announced by this process. */
    private final Map<StreamName, Long> firstAnnounced = new ConcurrentHashMap<>();
    private final Map<String, Set<Listener>> listenersByKey = new ConcurrentHashMap<>();
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final Map<StreamName, List<Runnable>> updatesBeforeWaking = new ConcurrentHashMap<>();
    /** Wake-ups of streams with updates before waking, run in order by {@link #waker} after those updates. */
    private final LinkedBlockingQueue<DeferredWake> deferredWakes = new LinkedBlockingQueue<>();
    private final Thread waker = Thread.ofVirtual().name("notifier-waker").unstarted(this::runDeferredWakes);

    /**
     * Runs {@code update} each time {@code stream} advances, before any long-poll is woken: for data derived from
     * the stream that a woken sync must find ready (the unread counts of new events). The updates and the wake-ups
     * that wait for them run on one background thread, so the writer that announced the change does not wait for
     * them; several announcements that queued up meanwhile share one run of the updates.
     */
    public void beforeWaking(StreamName stream, Runnable update) {
        updatesBeforeWaking.computeIfAbsent(stream, _ -> new CopyOnWriteArrayList<>()).add(update);
        synchronized (waker) {
            if (!waker.isAlive()) {
                waker.start();
            }
        }
    }

    @Override
    public void advanced(StreamName stream, long position) {
        wakeAfterUpdates(stream, () -> {
            positions.merge(stream, position, Math::max);
            remember(stream, position, List.of(EVERYONE));
            listeners.forEach(Listener::wake);
        });
    }

    @Override
    public void advanced(StreamName stream, long position, Collection<String> audience) {
        wakeAfterUpdates(stream, () -> {
            positions.merge(stream, position, Math::max);
            remember(stream, position, audience);
            for (String key : audience) {
                Set<Listener> listening = listenersByKey.get(key);
                if (listening != null) {
                    listening.forEach(Listener::wake);
                }
            }
        });
    }

    /** Recorded before the wake-up, so a listener that finds nothing here is sure to be woken by what comes. */
    private void remember(StreamName stream, long position, Collection<String> audience) {
        firstAnnounced.putIfAbsent(stream, position);
        for (String key : audience) {
            announcedTo.computeIfAbsent(key, _ -> new ConcurrentHashMap<>()).merge(stream, position, Math::max);
        }
    }

    private void wakeAfterUpdates(StreamName stream, Runnable wake) {
        if (updatesBeforeWaking.containsKey(stream)) {
            deferredWakes.add(new DeferredWake(stream, wake));
        } else {
            wake.run();
        }
    }

    private record DeferredWake(StreamName stream, Runnable wake) {
    }

    /** Drains the queued wake-ups: each stream's updates run once per batch, then every wake-up of the batch. */
    private void runDeferredWakes() {
        var batch = new java.util.ArrayList<DeferredWake>();
        while (true) {
            try {
                batch.add(deferredWakes.take());
            } catch (InterruptedException e) {
                return;
            }
            deferredWakes.drainTo(batch);
            try {
                batch.stream().map(DeferredWake::stream).distinct()
                        .forEach(stream -> updatesBeforeWaking.get(stream).forEach(Runnable::run));
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(InProcessNotifier.class).warn("An update before waking failed", e);
            }
            batch.forEach(deferred -> deferred.wake().run());
            batch.clear();
        }
    }

    /**
     * Records where a stream stood before this process wrote to it: every later position is written, and so
     * announced, here. A listener can then tell that nothing concerned it from a token at or after {@code position}
     * without waiting for the stream's first announcement (a stream no one wrote to since start-up is otherwise read
     * on every long-poll). Called while the server is wired, before it serves requests.
     */
    public void startsAt(StreamName stream, long position) {
        positions.merge(stream, position, Math::max);
        firstAnnounced.merge(stream, position + 1, Math::min);
    }

    /** Whether the stream was announced at or past {@code position} here, or started there ({@link #startsAt}). */
    public boolean reached(StreamName stream, long position) {
        Long announced = positions.get(stream);
        return announced != null && position <= announced;
    }

    /** The highest position announced for the stream, 0 when none. */
    public long position(StreamName stream) {
        return positions.getOrDefault(stream, 0L);
    }

    /** Starts listening for changes concerning any of {@code keys} (room ids, user ids); close it when done. */
    public Listener listen(Collection<String> keys) {
        var listener = new Listener(Set.copyOf(keys));
        listeners.add(listener);
        for (String key : listener.keys) {
            listenersByKey.compute(key, (_, set) -> {
                Set<Listener> listening = set != null ? set : ConcurrentHashMap.newKeySet();
                listening.add(listener);
                return listening;
            });
        }
        return listener;
    }

    /** One long-poll's registration: remembers a wake-up that came before {@link #await}. */
    public final class Listener implements AutoCloseable {
        private final Set<String> keys;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition woken = lock.newCondition();
        private boolean pending;

        private Listener(Set<String> keys) {
            this.keys = keys;
        }

        private void wake() {
            lock.lock();
            try {
                pending = true;
                woken.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /**
         * Whether this process announced every change of {@code stream} after {@code position} and none of them to
         * this listener's rooms and users: then a sync at {@code position} has nothing of the stream to send, however
         * far the stream moved for others. Writers announce after their commit, and the stream's positions after
         * this process's first announcement of it, less one, were all written (and so announced) by this process;
         * for an older position the answer is false (changes from before a restart were never announced).
         */
        public boolean heardNothingAfter(StreamName stream, long position) {
            Long first = firstAnnounced.get(stream);
            if (first == null || position < first - 1 || announcedAfter(EVERYONE, stream, position)) {
                return false;
            }
            for (String key : keys) {
                if (announcedAfter(key, stream, position)) {
                    return false;
                }
            }
            return true;
        }

        private boolean announcedAfter(String key, StreamName stream, long position) {
            Map<StreamName, Long> announced = announcedTo.get(key);
            Long highest = announced == null ? null : announced.get(stream);
            return highest != null && highest > position;
        }

        /**
         * Waits until a change arrives (or has arrived since the last call) or the timeout ends; true when woken.
         */
        public boolean await(long timeoutMillis) throws InterruptedException {
            long left = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            lock.lock();
            try {
                while (!pending && left > 0) {
                    left = woken.awaitNanos(left);
                }
                boolean wasWoken = pending;
                pending = false;
                return wasWoken;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            listeners.remove(this);
            for (String key : keys) {
                listenersByKey.computeIfPresent(key, (_, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
        }
    }
}

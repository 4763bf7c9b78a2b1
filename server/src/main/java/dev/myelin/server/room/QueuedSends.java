package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore.TxnKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends to local rooms waiting for their room's writer (group commit per room). A send queues itself, then takes
 * the room's lock; whoever holds the lock writes every send queued for the room so far as one batch, and the others
 * find their send answered when their turn comes. A burst of sends to one room so costs one read, one write and one
 * announcement instead of one of each per send.
 */
final class QueuedSends {
    private final ConcurrentHashMap<String, List<Send>> waiting = new ConcurrentHashMap<>();

    void add(String roomId, Send send) {
        waiting.compute(roomId, (id, sends) -> {
            List<Send> queue = sends == null ? new ArrayList<>() : sends;
            queue.add(send);
            return queue;
        });
    }

    /** Every send queued for the room, in the order they came; only the holder of the room's lock takes them. */
    List<Send> take(String roomId) {
        List<Send> sends = waiting.remove(roomId);
        return sends == null ? List.of() : sends;
    }

    /** One send: what to create, and once its batch is written, its event id or why it failed. */
    static final class Send {
        private final RoomService.Draft draft;
        private final Optional<TxnKey> txn;
        private volatile boolean answered;
        private volatile String eventId;
        private volatile RuntimeException failure;

        Send(RoomService.Draft draft, Optional<TxnKey> txn) {
            this.draft = draft;
            this.txn = txn;
        }

        RoomService.Draft draft() {
            return draft;
        }

        Optional<TxnKey> txn() {
            return txn;
        }

        boolean answered() {
            return answered;
        }

        void answer(String id) {
            eventId = id;
            answered = true;
        }

        void fail(RuntimeException cause) {
            failure = cause;
            answered = true;
        }

        /** Answers as {@code first} was answered: the same transaction id sent twice in one batch. */
        void answerAs(Send first) {
            if (first.failure != null) {
                fail(first.failure);
            } else {
                answer(first.eventId);
            }
        }

        /** The event id; the failure is rethrown. */
        String eventId() {
            if (!answered) {
                throw new IllegalStateException("the send was not written");
            }
            if (failure != null) {
                throw failure;
            }
            return eventId;
        }
    }
}

package dev.myelin.server.push;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.storage.NotificationStore;
import dev.myelin.server.storage.NotificationStore.Counts;
import dev.myelin.server.storage.NotificationStore.ReadMark;
import dev.myelin.server.storage.sql.SqlNotificationStore;
import dev.myelin.server.sync.Notifier;
import dev.myelin.server.sync.ReadReceiptListener;
import dev.myelin.server.sync.RoomDecorator;
import dev.myelin.server.sync.SyncContext;

import java.util.List;
import java.util.Map;

/**
 * Unread notification counts: read receipts move the read positions (a threaded receipt clears only its thread, an
 * unthreaded one every thread, spec: "Marking notifications as read"), and each joined room in sync gets
 * {@code unread_notifications}, plus {@code unread_thread_notifications} when the filter asks for them; without
 * that, thread notifications count in the room's totals (spec: sync.yaml).
 */
public final class UnreadCounts implements RoomDecorator, ReadReceiptListener {
    private final NotificationStore store;
    private final Notifier notifier;

    public UnreadCounts(NotificationStore store, Notifier notifier) {
        this.store = store;
        this.notifier = notifier;
    }

    @Override
    public void readUpTo(String userId, String roomId, String threadId, String eventId, long streamPos) {
        String thread = threadId == null ? NotificationStore.ALL_THREADS : threadId;
        if (store.readUpTo(new ReadMark(userId, roomId, thread, streamPos))) {
            notifier.advanced(SqlNotificationStore.COUNTS, store.currentPosition(), List.of(userId));
        }
    }

    @Override
    public void decorate(SyncContext context, String roomId, ObjectNode joinedRoom) {
        Map<String, Counts> byThread = store.counts(context.userId(), roomId);
        long notifications = 0;
        long highlights = 0;
        ObjectNode threads = null;
        for (Map.Entry<String, Counts> entry : byThread.entrySet()) {
            boolean main = entry.getKey().equals(NotificationStore.MAIN_THREAD);
            if (main || !context.threadNotifications()) {
                notifications += entry.getValue().notifications();
                highlights += entry.getValue().highlights();
            } else {
                if (threads == null) {
                    threads = joinedRoom.putObject("unread_thread_notifications");
                }
                threads.putObject(entry.getKey())
                        .put("highlight_count", entry.getValue().highlights())
                        .put("notification_count", entry.getValue().notifications());
            }
        }
        joinedRoom.putObject("unread_notifications")
                .put("highlight_count", highlights)
                .put("notification_count", notifications);
    }
}

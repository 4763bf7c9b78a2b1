package dev.myelin.server.sync;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Adds fields to each joined room that a {@code /sync} response carries, after every {@link SyncContributor} ran:
 * e.g. {@code unread_notifications} and {@code unread_thread_notifications}. A decorator does not make a room
 * appear in the response; a change that should (a receipt clearing a count) comes through a contributor.
 */
public interface RoomDecorator {
    void decorate(SyncContext context, String roomId, ObjectNode joinedRoom);
}

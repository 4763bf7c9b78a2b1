package dev.myelin.server.room;

/**
 * Told after a membership event was persisted (local or received), e.g. so E2EE can tell the room's members to
 * refresh the joining user's device list.
 */
public interface MembershipListener {
    void membershipChanged(String roomId, String userId, String membership);
}

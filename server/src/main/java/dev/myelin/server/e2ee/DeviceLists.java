package dev.myelin.server.e2ee;

import dev.myelin.server.room.MembershipListener;
import dev.myelin.server.storage.DeviceListStore;
import dev.myelin.server.storage.DeviceListStore.Change;
import dev.myelin.server.storage.E2eKeyStore;
import dev.myelin.server.storage.sql.SqlDeviceListStore;
import dev.myelin.server.sync.Notifier;
import dev.myelin.server.user.AccountListener;
import dev.myelin.server.user.DeviceListener;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Device list tracking (spec: end_to_end_encryption "Tracking the device list for a user"): records changes of
 * users' devices and room memberships in the device-list stream, wakes the syncs of those who share a room with the
 * changed user, and works out {@code changed} and {@code left} between two stream positions.
 */
public final class DeviceLists implements MembershipListener, DeviceListener, AccountListener {

    /** What a client must refresh: users whose keys to query again, users whose keys it can forget. */
    public record Delta(Set<String> changed, Set<String> left) {
    }

    private final DeviceListStore store;
    private final E2eKeyStore keys;
    private final Notifier notifier;
    private final List<KeyChangeListener> listeners = new CopyOnWriteArrayList<>();

    public DeviceLists(DeviceListStore store, E2eKeyStore keys, Notifier notifier) {
        this.store = store;
        this.keys = keys;
        this.notifier = notifier;
    }

    public void addListener(KeyChangeListener listener) {
        listeners.add(listener);
    }

    /**
     * Wakes the syncs that should see a change of the user's keys written at {@code position} (0: none), and tells
     * the listeners which keys changed ({@link KeyChangeListener}).
     */
    public void announce(String userId, long position, Collection<String> keyIds) {
        if (position <= 0) {
            return;
        }
        announce(userId, position);
        listeners.forEach(listener -> listener.keysChanged(userId, position, keyIds));
    }

    /** Wakes the syncs that should see a change of the user's keys written at {@code position} (0: none). */
    public void announce(String userId, long position) {
        if (position <= 0) {
            return;
        }
        List<String> audience = new ArrayList<>(store.joinedRooms(userId));
        audience.add(userId);
        notifier.advanced(SqlDeviceListStore.DEVICE_LISTS, position, audience);
    }

    public long currentPosition() {
        return store.currentPosition();
    }

    @Override
    public void membershipChanged(String roomId, String userId, String membership) {
        if (!membership.equals("join") && !membership.equals("leave") && !membership.equals("ban")) {
            return;
        }
        long position = store.membershipChanged(userId, roomId, membership);
        notifier.advanced(SqlDeviceListStore.DEVICE_LISTS, position, List.of(roomId, userId));
    }

    @Override
    public void renamed(String userId, String deviceId) {
        announce(userId, keys.deviceRenamed(userId, deviceId), List.of(deviceId));
    }

    @Override
    public void deleted(String userId, List<String> deviceIds) {
        announce(userId, keys.deleteDevices(userId, deviceIds), deviceIds);
    }

    @Override
    public void onDeactivated(String userId, boolean erase) {
        announce(userId, keys.deleteUser(userId));
    }

    /**
     * The device-list changes {@code userId} must learn of after {@code from} up to {@code to}: key changes of
     * users sharing a room now (and of the user), users who came to share a room ({@code changed}), and users who
     * no longer share any ({@code left}).
     */
    public Delta delta(String userId, long from, long to) {
        var changed = new LinkedHashSet<String>();
        var left = new LinkedHashSet<String>();
        List<Change> changes = store.changes(from, to);
        if (changes.isEmpty()) {
            return new Delta(changed, left);
        }
        Set<String> sharing = store.usersSharingRooms(userId);
        Set<String> myRooms = store.joinedRooms(userId);
        for (Change change : changes) {
            String other = change.userId();
            if (!change.isMembership()) {
                if (other.equals(userId) || sharing.contains(other)) {
                    mark(changed, left, other);
                }
            } else if (change.membership().equals("join")) {
                if (other.equals(userId)) {
                    if (myRooms.contains(change.roomId())) {
                        store.joinedMembers(change.roomId()).stream().filter(u -> !u.equals(userId))
                                .forEach(u -> mark(changed, left, u));
                    }
                } else if (myRooms.contains(change.roomId()) && sharing.contains(other)) {
                    mark(changed, left, other);
                }
            } else if (other.equals(userId)) {
                store.joinedMembers(change.roomId()).stream()
                        .filter(u -> !u.equals(userId) && !sharing.contains(u))
                        .forEach(u -> mark(left, changed, u));
            } else if (!sharing.contains(other) && myRooms.contains(change.roomId())) {
                mark(left, changed, other);
            }
        }
        return new Delta(changed, left);
    }

    /** The latest change of a user decides whether they end in changed or left. */
    private static void mark(Set<String> into, Set<String> outOf, String userId) {
        outOf.remove(userId);
        into.add(userId);
    }
}

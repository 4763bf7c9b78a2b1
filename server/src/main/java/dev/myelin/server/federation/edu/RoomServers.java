package dev.myelin.server.federation.edu;

import dev.myelin.server.storage.DeviceListStore;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which other servers an EDU goes to, and whether an EDU's origin may speak for a user (spec: server-server-api
 * "EDUs": typing and receipts go to the servers in the room, presence and device lists to the servers sharing a
 * room with the user; a server speaks only for its own users).
 */
public final class RoomServers {
    private final String serverName;
    private final DeviceListStore memberships;

    public RoomServers(String serverName, DeviceListStore memberships) {
        this.serverName = serverName;
        this.memberships = memberships;
    }

    public boolean isLocal(String userId) {
        return serverName.equals(serverOf(userId));
    }

    /** The server part of a user id ("" when it has none). */
    public static String serverOf(String userId) {
        int colon = userId == null ? -1 : userId.indexOf(':');
        return colon < 0 ? "" : userId.substring(colon + 1);
    }

    /** Other servers with a member joined to the room. */
    public Set<String> inRoom(String roomId) {
        return others(memberships.joinedMembers(roomId));
    }

    /** Other servers with a member joined to a room the user is joined to. */
    public Set<String> sharingRoomsWith(String userId) {
        return others(memberships.usersSharingRooms(userId));
    }

    /** Whether the user is joined to the room (as this server knows the room's current state). */
    public boolean isJoined(String userId, String roomId) {
        return memberships.joinedRooms(userId).contains(roomId);
    }

    /** Whether the user is joined to any room this server knows of. */
    public boolean sharesARoom(String userId) {
        return !memberships.joinedRooms(userId).isEmpty();
    }

    private Set<String> others(Set<String> userIds) {
        var servers = new TreeSet<String>();
        for (String userId : userIds) {
            servers.add(serverOf(userId));
        }
        servers.remove(serverName);
        servers.remove("");
        return servers;
    }
}

package dev.myelin.server.federation.directory;

import dev.myelin.server.directory.PublicRoomDirectory;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.profile.ProfileService;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.space.RoomSummaries;
import dev.myelin.server.space.SpaceHierarchy;

import java.time.Clock;

/**
 * The room directory and spaces over federation, wired: this server's published rooms and space hierarchies served
 * to other servers, and other servers' read for local clients ({@code /publicRooms?server=},
 * {@code /hierarchy} and {@code /room_summary} of rooms this server is not in, their aliases, their users'
 * profiles).
 */
public final class DirectoryFederation {
    private final PublicRoomsEndpoint publicRooms;
    private final HierarchyEndpoint hierarchy;

    public DirectoryFederation(RoomService rooms, PublicRoomDirectory directory, RoomSummaries summaries,
                               SpaceHierarchy hierarchy, ProfileService profiles, FederationClient client, Clock clock) {
        this.publicRooms = new PublicRoomsEndpoint(directory);
        this.hierarchy = new HierarchyEndpoint(summaries, hierarchy);
        directory.remote(new FederatedPublicRooms(client));
        hierarchy.remote(new FederatedSpaces(client, rooms.serverName(), clock));
        rooms.remoteAliases(new FederatedAliases(client));
        profiles.remote(new FederatedProfiles(client));
    }

    public void register(FederationRoutes routes) {
        publicRooms.register(routes);
        hierarchy.register(routes);
    }
}

package dev.myelin.server.federation.room;

import dev.myelin.server.federation.acl.ServerAcls;
import dev.myelin.server.federation.inbound.InboundHandlers;
import dev.myelin.server.federation.keys.KeyRing;
import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.room.InviteBlocking;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RoomService;
import dev.myelin.spec.crypto.SigningKey;

import java.time.Clock;

/**
 * Rooms over federation, wired: accepting events from other servers (inbound transactions and the resident
 * endpoints), sending local events to the other servers of a room, joining rooms on other servers (with partial
 * state, resynced in the background) and fetching their history from before the join (backfill).
 */
public final class RoomFederation implements AutoCloseable {
    private final RemoteEventIngest ingest;
    private final RoomFederationEndpoints endpoints;
    private final RemoteMemberships remoteMemberships;
    private final PartialStateResync resync;

    public RoomFederation(RoomService rooms, SigningKey key, KeyRing keys, FederationClient client,
                          FederationSender sender, InboundHandlers inbound, InviteBlocking inviteBlocking,
                          ServerAcls acls, Clock clock) {
        this.ingest = new RemoteEventIngest(rooms, keys::findOrFetch);
        var access = new ServerAccess(rooms, acls);
        var remote = new RemoteRoomReader(client, ingest);
        this.endpoints = new RoomFederationEndpoints(rooms.serverName(),
                new ResidentMemberships(rooms, ingest, access, sender, key),
                new InviteReceiver(rooms, ingest, key, inviteBlocking),
                new RoomHistory(rooms, access), access, clock);
        this.resync = new PartialStateResync(rooms, ingest, remote);
        this.remoteMemberships = new RemoteMemberships(rooms, ingest, remote, client, key, resync);
        inbound.pduHandler(new InboundPdus(rooms, ingest, remote, acls));
        rooms.addListener(new OutboundPdus(rooms.serverName(), rooms.store(), access, sender));
        rooms.remoteMemberships(remoteMemberships);
        rooms.remoteHistory(new RoomBackfill(rooms, ingest, remote, access));
        resync.resumeAll();
    }

    public RemoteEventIngest ingest() {
        return ingest;
    }

    public void register(FederationRoutes routes) {
        endpoints.register(routes);
    }

    /** Stops the background resyncs of rooms joined with partial state (resumed at the next start). */
    @Override
    public void close() {
        resync.close();
    }
}

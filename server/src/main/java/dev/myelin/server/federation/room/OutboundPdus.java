package dev.myelin.server.federation.room;

import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.room.RoomEventListener;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.Pdu;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Sends every event this server creates in a room to the other servers in it (spec: server-server-api "PDUs":
 * "the originating server ... sends it to every other server in the room"). Events received from other servers are
 * not passed on: their origin sends them itself.
 */
final class OutboundPdus implements RoomEventListener {
    private final String serverName;
    private final RoomStore store;
    private final ServerAccess access;
    private final FederationSender sender;

    OutboundPdus(String serverName, RoomStore store, ServerAccess access, FederationSender sender) {
        this.serverName = serverName;
        this.store = store;
        this.access = access;
        this.sender = sender;
    }

    @Override
    public void persisted(RoomStore.Room room, List<Pdu> events, boolean local) {
        if (!local) {
            return;
        }
        String roomId = room.roomId();
        record Outgoing(byte[] json, Set<String> destinations) {
        }
        // The sender waits for this: its reads share one read transaction (on SQLite, one trip to a reader thread).
        List<Outgoing> outgoing = store.readingTogether(() -> {
            Set<String> servers = access.serversIn(room);
            var out = new ArrayList<Outgoing>();
            for (Pdu event : events) {
                var destinations = new LinkedHashSet<>(servers);
                if ("m.room.member".equals(event.type()) && event.stateKey() != null) {
                    // A remote user kicked or banned is no longer in the room, but their server must hear of it.
                    destinations.add(ServerAccess.domain(event.stateKey()));
                }
                destinations.remove(serverName);
                if (!destinations.isEmpty()) {
                    store.event(event.eventId()).ifPresent(stored -> out.add(new Outgoing(stored.json(),
                            destinations)));
                }
            }
            return out;
        });
        outgoing.forEach(pdu -> sender.enqueuePdu(roomId, pdu.json(), pdu.destinations()));
    }
}

package dev.myelin.server.federation.edu;

import dev.myelin.server.Ephemeral;
import dev.myelin.server.federation.inbound.InboundHandlers;
import dev.myelin.server.federation.sender.FederationSender;

import java.time.Clock;

/**
 * Typing notifications, read receipts and (when enabled) presence over federation, wired: local changes go out as
 * EDUs through the sender queue, inbound EDUs reach local clients through the same sync streams.
 */
public final class EphemeralFederation {

    private EphemeralFederation() {
    }

    public static void wire(Ephemeral ephemeral, RoomServers servers, FederationSender sender, InboundHandlers inbound,
                            Clock clock) {
        var typing = new TypingEdus(ephemeral.typing(), servers, sender);
        inbound.eduHandler(TypingEdus.TYPE, typing);
        ephemeral.typing().addListener(typing);
        var receipts = new ReceiptEdus(ephemeral.receipts(), servers, sender);
        inbound.eduHandler(ReceiptEdus.TYPE, receipts);
        ephemeral.receipts().listenPublic(receipts);
        ephemeral.presence().ifPresent(presence -> {
            var edus = new PresenceEdus(presence, servers, sender, clock);
            inbound.eduHandler(PresenceEdus.TYPE, edus);
            presence.addListener(edus);
        });
    }
}

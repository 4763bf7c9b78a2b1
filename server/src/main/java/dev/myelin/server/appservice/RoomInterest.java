package dev.myelin.server.appservice;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.Pdu;

/**
 * Whether an application service is interested in an event (spec: application-service-api "Registration"): the room
 * id is in its rooms namespace, one of the room's aliases in its aliases namespace, the sender or the state_key is a
 * user it covers, or a user it covers is joined to the room. The room-wide part is worked out once per room.
 */
final class RoomInterest {
    private final AppServiceRegistration registration;
    private final boolean wholeRoom;

    RoomInterest(AppServiceRegistration registration, RoomStore store, String roomId) {
        this.registration = registration;
        this.wholeRoom = registration.coversRoom(roomId)
                || store.aliasesOf(roomId).stream().anyMatch(registration::coversAlias)
                || store.members(roomId, "join").stream().anyMatch(m -> registration.coversUser(m.userId()));
    }

    boolean interestedIn(Pdu pdu) {
        return wholeRoom || registration.coversUser(pdu.sender())
                || (pdu.stateKey() != null && pdu.stateKey().startsWith("@") && registration.coversUser(pdu.stateKey()));
    }
}

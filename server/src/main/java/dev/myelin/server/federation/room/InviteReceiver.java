package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.InviteBlocking;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RoomService;
import dev.myelin.spec.crypto.EventHashes;
import dev.myelin.spec.crypto.EventSigner;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.PduParser;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.json.InvalidJsonException;

import java.io.IOException;
import java.util.Map;

/**
 * The invitee's server's half of an invite (spec: server-server-api "Inviting to a room", PUT /v2/invite): checks the
 * invite of a local user, signs it too, and, when this server is not in the room, records it with the stripped state
 * the inviting server sent so the user sees it in /sync. In a room this server is in, the invite arrives again in a
 * transaction and is accepted there like any event.
 */
final class InviteReceiver {
    private final RoomService rooms;
    private final RemoteEventIngest ingest;
    private final SigningKey key;
    private final InviteBlocking inviteBlocking;

    InviteReceiver(RoomService rooms, RemoteEventIngest ingest, SigningKey key, InviteBlocking inviteBlocking) {
        this.inviteBlocking = inviteBlocking;
        this.rooms = rooms;
        this.ingest = ingest;
        this.key = key;
    }

    /** Returns the invite event signed by this server. */
    ObjectNode receive(String roomId, String eventId, String origin, ObjectNode body) throws IOException {
        String versionId = body.path("room_version").asText("");
        RoomVersion version = RoomVersion.byId(versionId).orElseThrow(() -> new MatrixException(400,
                ErrorCode.M_INCOMPATIBLE_ROOM_VERSION, "Unsupported room version " + versionId,
                Map.of("room_version", versionId)));
        JsonNode eventJson = body.get("event");
        if (eventJson == null || !eventJson.isObject()) {
            throw MatrixException.badJson("event must be an object");
        }
        EncodedPdu event;
        try {
            event = ingest.verify(Json.MAPPER.writeValueAsBytes(eventJson), version);
        } catch (RemoteEventIngest.DroppedException e) {
            throw MatrixException.forbidden("Invite refused: " + e.getMessage());
        }
        Pdu pdu = event.pdu();
        if (!eventId.equals(pdu.eventId()) || !roomId.equals(pdu.roomId())) {
            throw MatrixException.invalidParam("The event's id or room does not match the path");
        }
        if (!"m.room.member".equals(pdu.type()) || pdu.stateKey() == null
                || !"invite".equals(pdu.content().path("membership").asText())) {
            throw MatrixException.invalidParam("Not an invite");
        }
        if (!rooms.serverName().equals(ServerAccess.domain(pdu.stateKey()))) {
            throw MatrixException.invalidParam(pdu.stateKey() + " is not a user of this server");
        }
        if (!origin.equals(ServerAccess.domain(pdu.sender()))) {
            throw MatrixException.forbidden(pdu.sender() + " is not a user of " + origin);
        }
        inviteBlocking.refuseIfBlocked(pdu.stateKey()); // spec: invite permission (v1.18), 403 M_INVITE_BLOCKED
        ObjectNode signed = EventSigner.cosign(pdu.json().deepCopy(), version, rooms.serverName(), key);
        boolean inRoom = rooms.store().room(roomId).filter(room -> room.currentSnapshot() != 0).isPresent();
        if (!inRoom) {
            try {
                EncodedPdu stored = PduParser.parseStored(EventHashes.encoding(version).encode(signed), version,
                        eventId);
                JsonNode strippedState = body.path("invite_room_state");
                rooms.recordRemoteMembership(roomId, version, stored, Json.MAPPER.writeValueAsBytes(
                        strippedState.isArray() ? strippedState : Json.MAPPER.createArrayNode()));
            } catch (InvalidJsonException e) {
                throw MatrixException.badJson("The invite cannot be encoded: " + e.getMessage());
            }
        }
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.set("event", signed);
        return answer;
    }
}

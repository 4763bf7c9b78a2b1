package dev.myelin.server.directory;

import com.fasterxml.jackson.databind.JsonNode;

/** Asks another server for its published room directory (federation). */
public interface RemotePublicRooms {
    /**
     * The other server's answer, as it gave it.
     *
     * @throws dev.myelin.server.http.MatrixException when it cannot be reached or refuses
     */
    JsonNode query(String server, PublicRoomQuery query);
}

package dev.myelin.server.room;

import java.util.List;
import java.util.Optional;

/** Resolves aliases of other servers (federation: GET /query/directory, spec: server-server-api "Room Aliases"). */
public interface RemoteAliases {
    /** The room an alias names and servers in it. */
    record Resolved(String roomId, List<String> servers) {}

    /**
     * What the alias's server says it names; empty when it does not know the alias.
     *
     * @throws dev.myelin.server.http.MatrixException when the alias's server cannot be asked
     */
    Optional<Resolved> resolve(String alias);
}

package dev.myelin.server.profile;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Optional;

/** Profiles of other servers' users, asked of their server (spec: server-server-api GET /query/profile). */
public interface RemoteProfiles {
    /**
     * The user's public profile, or only {@code field} of it when given; empty when their server does not know
     * the user.
     *
     * @throws dev.myelin.server.http.MatrixException when their server refuses or cannot be asked
     */
    Optional<ObjectNode> query(String userId, Optional<String> field);
}

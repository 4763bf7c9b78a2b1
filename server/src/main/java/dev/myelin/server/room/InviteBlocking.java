package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a local user blocks invites (spec: client-server-api "Invite permission", v1.18): their global
 * {@code m.invite_permission_config} account data has {@code default_action: "block"}. Malformed content blocks
 * nothing. Users of other servers have no account data here, so their server decides.
 */
public final class InviteBlocking {
    public static final String TYPE = "m.invite_permission_config";

    private final Function<String, Optional<String>> globalAccountData;

    /** @param globalAccountData the content (JSON text) of a user's global {@value #TYPE} account data, if set */
    public InviteBlocking(Function<String, Optional<String>> globalAccountData) {
        this.globalAccountData = globalAccountData;
    }

    public boolean blocksInvites(String userId) {
        Optional<String> content = globalAccountData.apply(userId);
        if (content.isEmpty()) {
            return false;
        }
        try {
            JsonNode json = Json.MAPPER.readTree(content.get());
            return "block".equals(json.path("default_action").asText());
        } catch (IOException e) {
            return false;
        }
    }

    /** 403 M_INVITE_BLOCKED when the invitee blocks invites. */
    public void refuseIfBlocked(String invitee) {
        if (blocksInvites(invitee)) {
            throw new MatrixException(403, ErrorCode.M_INVITE_BLOCKED, invitee + " does not accept invites");
        }
    }
}

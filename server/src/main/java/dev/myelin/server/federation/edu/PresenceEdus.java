package dev.myelin.server.federation.edu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.inbound.EduHandler;
import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.http.Json;
import dev.myelin.server.presence.PresenceService;
import dev.myelin.server.storage.PresenceStore.Presence;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code m.presence} EDUs (spec: server-server-api "Presence"): changes of local users' presence go to the servers
 * sharing a room with them; a remote user's presence is accepted from the user's own server when the user shares a
 * room with this server. Wired only when presence is enabled.
 */
public final class PresenceEdus implements EduHandler, Consumer<Presence> {
    public static final String TYPE = "m.presence";
    private static final Set<String> STATES = Set.of(PresenceService.ONLINE, PresenceService.UNAVAILABLE,
            PresenceService.OFFLINE);

    private final PresenceService presence;
    private final RoomServers servers;
    private final FederationSender sender;
    private final Clock clock;

    public PresenceEdus(PresenceService presence, RoomServers servers, FederationSender sender, Clock clock) {
        this.presence = presence;
        this.servers = servers;
        this.sender = sender;
        this.clock = clock;
    }

    @Override
    public void handle(String origin, JsonNode content) {
        for (JsonNode update : content.path("push")) {
            String userId = update.path("user_id").textValue();
            String state = update.path("presence").textValue();
            if (userId == null || !STATES.contains(state) || !origin.equals(RoomServers.serverOf(userId))
                    || !servers.sharesARoom(userId)) {
                continue;
            }
            long ago = Math.max(0, update.path("last_active_ago").asLong(0));
            long lastActiveTs = update.has("last_active_ago") ? clock.millis() - ago : 0;
            presence.remote(new Presence(userId, state, Optional.ofNullable(update.path("status_msg").textValue()),
                    lastActiveTs, update.path("currently_active").asBoolean(false)));
        }
    }

    /** A local user's presence changed. */
    @Override
    public void accept(Presence changed) {
        if (!servers.isLocal(changed.userId())) {
            return;
        }
        Set<String> destinations = servers.sharingRoomsWith(changed.userId());
        if (destinations.isEmpty()) {
            return;
        }
        ObjectNode update = presence.content(changed).put("user_id", changed.userId());
        if (!update.has("last_active_ago")) {
            update.put("last_active_ago", clock.millis()); // never active: since the epoch, as far as it goes
        }
        update.put("currently_active", changed.currentlyActive());
        ObjectNode content = Json.MAPPER.createObjectNode();
        content.putArray("push").add(update);
        sender.enqueueEdu(destinations, TYPE, content);
    }
}

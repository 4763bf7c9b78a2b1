package dev.myelin.server.federation.directory;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.space.RemoteSpace;
import dev.myelin.server.space.RemoteSpaces;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rooms this server is not in, summarised by servers that are (spec: server-server-api "Spaces", GET
 * /hierarchy/{roomId}). Answers are kept a minute, as the spec suggests, so paging through a hierarchy does not ask
 * again for every page (failures are not kept).
 */
final class FederatedSpaces implements RemoteSpaces {
    private static final Logger LOG = LoggerFactory.getLogger(FederatedSpaces.class);
    private static final Duration KEEP = Duration.ofMinutes(1);
    private static final int MAX_KEPT = 1_000;

    private record Kept(Optional<RemoteSpace> space, long until) {}

    private final FederationClient client;
    private final String serverName;
    private final Clock clock;
    private final Map<String, Kept> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
            return size() > MAX_KEPT;
        }
    };

    FederatedSpaces(FederationClient client, String serverName, Clock clock) {
        this.client = client;
        this.serverName = serverName;
        this.clock = clock;
    }

    @Override
    public Optional<RemoteSpace> hierarchy(String roomId, List<String> via, boolean suggestedOnly) {
        String key = roomId + (suggestedOnly ? " suggested" : " all");
        synchronized (kept) {
            Kept known = kept.get(key);
            if (known != null && known.until() > clock.millis()) {
                return known.space();
            }
        }
        Optional<RemoteSpace> space = fetch(roomId, via, suggestedOnly);
        if (space.isPresent()) {
            synchronized (kept) {
                kept.put(key, new Kept(space, clock.millis() + KEEP.toMillis()));
            }
        }
        return space;
    }

    private Optional<RemoteSpace> fetch(String roomId, List<String> via, boolean suggestedOnly) {
        for (String server : via) {
            if (server.equals(serverName)) {
                continue;
            }
            try {
                JsonNode answer = client.get(server, "/_matrix/federation/v1/hierarchy/"
                        + URLEncoder.encode(roomId, StandardCharsets.UTF_8) + "?suggested_only=" + suggestedOnly);
                Optional<RemoteSpace> space = RemoteSpace.parse(roomId, answer);
                if (space.isPresent()) {
                    return space;
                }
                LOG.info("{} answered the hierarchy of {} with something else", server, roomId);
            } catch (FederationException e) {
                LOG.info("Hierarchy of {} from {} failed: {}", roomId, server, e.getMessage());
            }
        }
        return Optional.empty();
    }
}

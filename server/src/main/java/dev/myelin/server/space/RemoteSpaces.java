package dev.myelin.server.space;

import java.util.List;
import java.util.Optional;

/** Summaries of rooms this server is not in, from servers that are (federation: GET /hierarchy/{roomId}). */
public interface RemoteSpaces {
    /** The room and its children as the first of {@code via} that answers sees them; empty when none does. */
    Optional<RemoteSpace> hierarchy(String roomId, List<String> via, boolean suggestedOnly);
}

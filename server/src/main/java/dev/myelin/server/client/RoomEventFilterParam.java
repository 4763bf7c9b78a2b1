package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.sync.FilterService;
import dev.myelin.server.sync.filter.EventFilter;
import dev.myelin.server.sync.filter.Filter;

import java.io.IOException;
import java.util.Optional;

/**
 * The {@code filter} parameter of /messages and /context: a RoomEventFilter as JSON (spec: message_pagination.yaml),
 * or the id of a filter the user uploaded, whose {@code room.timeline} applies (lazy_load_members may also be set in
 * its {@code room.state}, as clients set it for sync).
 */
final class RoomEventFilterParam {
    private RoomEventFilterParam() {}

    static EventFilter resolve(FilterService filters, String userId, Optional<String> parameter) {
        if (parameter.isEmpty() || parameter.get().isBlank()) {
            return EventFilter.NONE;
        }
        String value = parameter.get().trim();
        if (value.startsWith("{")) {
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(value);
            } catch (IOException e) {
                throw MatrixException.invalidParam("'filter' is not valid JSON");
            }
            return EventFilter.parse(json, "filter");
        }
        Filter stored = Filter.parse(filters.get(userId, value)
                .orElseThrow(() -> MatrixException.notFound("No filter " + value)));
        EventFilter timeline = stored.room().timeline();
        if (!timeline.lazyLoadMembers() && stored.room().state().lazyLoadMembers()) {
            return new EventFilter(timeline.limit(), timeline.types(), timeline.notTypes(), timeline.senders(),
                    timeline.notSenders(), timeline.rooms(), timeline.notRooms(), timeline.containsUrl(), true,
                    timeline.includeRedundantMembers(), timeline.unreadThreadNotifications());
        }
        return timeline;
    }
}

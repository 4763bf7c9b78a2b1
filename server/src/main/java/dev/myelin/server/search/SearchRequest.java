package dev.myelin.server.search;

import dev.myelin.server.storage.SearchStore;
import dev.myelin.spec.event.Pdu;

import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The room_events criteria of POST /search (spec: search.yaml), parsed.
 *
 * @param rooms       only these rooms (filter "rooms"), or every room the user is or was in
 * @param filter      the event filter's types and senders
 * @param limit       results per page (filter "limit")
 * @param beforeLimit events of context before each result, 0 for no context
 * @param groupBy     "room_id" and/or "sender"
 */
public record SearchRequest(String term, Set<String> keys, Optional<Set<String>> rooms, Set<String> notRooms,
                            Predicate<Pdu> filter, int limit, SearchStore.Order order, boolean context,
                            int beforeLimit, int afterLimit, boolean includeProfile, boolean includeState,
                            Set<String> groupBy) {
}

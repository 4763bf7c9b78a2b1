package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.sync.filter.EventFilter;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.search.SearchRequest;
import dev.myelin.server.search.SearchService;
import dev.myelin.server.storage.SearchStore;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/** POST /search (spec: search.yaml): the room_events category. */
public final class SearchEndpoints {
    private static final Set<String> KEYS = Set.of(SearchStore.BODY, SearchStore.NAME, SearchStore.TOPIC);
    private static final int DEFAULT_LIMIT = 10;
    private static final int MAX_LIMIT = 100;
    private static final int MAX_CONTEXT = 20;

    private final Authenticator authenticator;
    private final SearchService search;

    public SearchEndpoints(Authenticator authenticator, SearchService search) {
        this.authenticator = authenticator;
        this.search = search;
    }

    public void register(Router router) {
        router.add("POST", Router.CLIENT_V3_AND_R0, "/search", this::search);
    }

    private MatrixResponse search(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        ObjectNode body = request.jsonObject();
        JsonNode categories = body.get("search_categories");
        if (categories == null || !categories.isObject()) {
            throw MatrixException.missingParam("Missing 'search_categories'");
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode outCategories = out.putObject("search_categories");
        JsonNode roomEvents = categories.get("room_events");
        if (roomEvents != null && !roomEvents.isNull()) {
            if (!roomEvents.isObject()) {
                throw MatrixException.badJson("'room_events' must be an object");
            }
            outCategories.set("room_events", search.searchRoomEvents(requester.userId(), requester.deviceId(),
                    parse((ObjectNode) roomEvents), request.query("next_batch")));
        }
        return MatrixResponse.ok(out);
    }

    private static SearchRequest parse(ObjectNode criteria) {
        String term = Fields.requiredString(criteria, "search_term");
        if (term.isBlank()) {
            throw MatrixException.invalidParam("'search_term' must not be empty");
        }
        Set<String> keys = new LinkedHashSet<>(KEYS);
        JsonNode keysNode = criteria.get("keys");
        if (keysNode != null && !keysNode.isNull()) {
            keys = strings(keysNode, "keys");
            for (String key : keys) {
                if (!KEYS.contains(key)) {
                    throw MatrixException.invalidParam("Unknown search key '" + key + "'");
                }
            }
        }
        JsonNode filterNode = criteria.path("filter");
        if (!filterNode.isMissingNode() && !filterNode.isNull() && !filterNode.isObject()) {
            throw MatrixException.badJson("'filter' must be an object");
        }
        EventFilter filter = EventFilter.parse(filterNode.isObject() ? filterNode : null, "filter");
        Optional<Set<String>> rooms = filterNode.has("rooms") && !filterNode.get("rooms").isNull()
                ? Optional.of(strings(filterNode.get("rooms"), "filter.rooms")) : Optional.empty();
        Set<String> notRooms = filterNode.has("not_rooms") && !filterNode.get("not_rooms").isNull()
                ? strings(filterNode.get("not_rooms"), "filter.not_rooms") : Set.of();
        int limit = Math.clamp(filter.limitOr(DEFAULT_LIMIT), 1, MAX_LIMIT);
        String orderBy = Fields.string(criteria, "order_by").orElse("rank");
        SearchStore.Order order = switch (orderBy) {
            case "rank" -> SearchStore.Order.RANK;
            case "recent" -> SearchStore.Order.RECENT;
            default -> throw MatrixException.invalidParam("'order_by' must be rank or recent");
        };
        JsonNode context = criteria.get("event_context");
        boolean hasContext = context != null && context.isObject();
        int before = hasContext ? contextLimit(context, "before_limit") : 0;
        int after = hasContext ? contextLimit(context, "after_limit") : 0;
        boolean includeProfile = hasContext && Fields.bool((ObjectNode) context, "include_profile", false);
        boolean includeState = Fields.bool(criteria, "include_state", false);
        Set<String> groupBy = new LinkedHashSet<>();
        JsonNode groups = criteria.path("groupings").path("group_by");
        if (groups.isArray()) {
            for (JsonNode group : groups) {
                String key = group.path("key").asText();
                if (!key.equals("room_id") && !key.equals("sender")) {
                    throw MatrixException.invalidParam("Groupings are by room_id or sender");
                }
                groupBy.add(key);
            }
        }
        return new SearchRequest(term, keys, rooms, notRooms, pdu -> filter.matches(pdu.json()), limit, order, hasContext, before,
                after, includeProfile, includeState, groupBy);
    }

    private static int contextLimit(JsonNode context, String name) {
        JsonNode value = context.get(name);
        if (value == null || value.isNull()) {
            return 5;
        }
        if (!value.isIntegralNumber() || value.asInt() < 0) {
            throw MatrixException.badJson("'" + name + "' must be a non-negative integer");
        }
        return Math.min(value.asInt(), MAX_CONTEXT);
    }

    private static Set<String> strings(JsonNode node, String name) {
        if (!node.isArray()) {
            throw MatrixException.badJson("'" + name + "' must be a list of strings");
        }
        var out = new LinkedHashSet<String>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw MatrixException.badJson("'" + name + "' must be a list of strings");
            }
            out.add(item.asText());
        }
        return out;
    }
}

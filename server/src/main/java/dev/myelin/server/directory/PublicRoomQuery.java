package dev.myelin.server.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A question to a published room directory (spec: list_public_rooms.yaml, server-server public_rooms.yaml): the
 * same parameters on the client and the federation API, as query parameters (GET) or a body (POST).
 *
 * @param limit                at most this many rooms, 0 for no limit
 * @param since                a {@code next_batch} or {@code prev_batch} of an earlier page
 * @param searchTerm           {@code filter.generic_search_term}
 * @param roomTypes            {@code filter.room_types} (v1.4): the types asked for, empty when any will do
 * @param untypedRooms         whether {@code filter.room_types} holds {@code null} (rooms without a type)
 * @param includeAllNetworks   also the rooms application services publish for their networks
 * @param thirdPartyInstanceId only the rooms of this application service network
 */
public record PublicRoomQuery(int limit, Optional<String> since, Optional<String> searchTerm,
                              Optional<Set<String>> roomTypes, boolean untypedRooms, boolean includeAllNetworks,
                              Optional<String> thirdPartyInstanceId) {

    public PublicRoomQuery {
        if (includeAllNetworks && thirdPartyInstanceId.isPresent()) {
            throw MatrixException.invalidParam("'third_party_instance_id' cannot be used with 'include_all_networks'");
        }
    }

    /** The query parameters of a GET; {@code defaultLimit} when none is given. */
    public static PublicRoomQuery fromParameters(MatrixRequest request, int defaultLimit) {
        int limit = request.query("limit").map(PublicRoomQuery::integer).orElse(defaultLimit);
        boolean all = request.query("include_all_networks").map(PublicRoomQuery::bool).orElse(false);
        return new PublicRoomQuery(limit, request.query("since"), Optional.empty(), Optional.empty(), false, all,
                request.query("third_party_instance_id"));
    }

    /** The body of a POST. */
    public static PublicRoomQuery fromBody(ObjectNode body, int defaultLimit) {
        int limit = defaultLimit;
        JsonNode limitNode = body.get("limit");
        if (limitNode != null && !limitNode.isNull()) {
            if (!limitNode.canConvertToInt() || !limitNode.isIntegralNumber()) {
                throw MatrixException.badJson("'limit' must be an integer");
            }
            limit = limitNode.asInt();
        }
        JsonNode filter = body.path("filter");
        if (!filter.isMissingNode() && !filter.isNull() && !filter.isObject()) {
            throw MatrixException.badJson("'filter' must be an object");
        }
        Optional<String> search = text(filter, "generic_search_term").filter(term -> !term.isBlank());
        Set<String> types = null;
        boolean untyped = false;
        JsonNode typeList = filter.get("room_types");
        if (typeList != null && !typeList.isNull()) {
            if (!typeList.isArray()) {
                throw MatrixException.badJson("'filter.room_types' must be a list");
            }
            types = new LinkedHashSet<>();
            for (JsonNode type : typeList) {
                if (type.isNull()) {
                    untyped = true;
                } else if (type.isTextual()) {
                    types.add(type.asText());
                } else {
                    throw MatrixException.badJson("'filter.room_types' entries must be strings or null");
                }
            }
        }
        JsonNode all = body.get("include_all_networks");
        if (all != null && !all.isNull() && !all.isBoolean()) {
            throw MatrixException.badJson("'include_all_networks' must be a boolean");
        }
        return new PublicRoomQuery(limit, text(body, "since"), search, Optional.ofNullable(types), untyped,
                all != null && all.asBoolean(), text(body, "third_party_instance_id"));
    }

    /** Whether a GET can carry it (no filter). */
    public boolean unfiltered() {
        return searchTerm.isEmpty() && roomTypes.isEmpty();
    }

    /** As a POST body. */
    public ObjectNode toBody() {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (limit > 0) {
            body.put("limit", limit);
        }
        since.ifPresent(token -> body.put("since", token));
        if (!unfiltered()) {
            ObjectNode filter = body.putObject("filter");
            searchTerm.ifPresent(term -> filter.put("generic_search_term", term));
            roomTypes.ifPresent(types -> {
                var list = filter.putArray("room_types");
                types.forEach(list::add);
                if (untypedRooms) {
                    list.addNull();
                }
            });
        }
        if (includeAllNetworks) {
            body.put("include_all_networks", true);
        }
        thirdPartyInstanceId.ifPresent(id -> body.put("third_party_instance_id", id));
        return body;
    }

    /** As GET query parameters, with the leading {@code ?} when there are any. */
    public String toQueryString() {
        var query = new StringBuilder();
        if (limit > 0) {
            append(query, "limit", Integer.toString(limit));
        }
        since.ifPresent(token -> append(query, "since", token));
        if (includeAllNetworks) {
            append(query, "include_all_networks", "true");
        }
        thirdPartyInstanceId.ifPresent(id -> append(query, "third_party_instance_id", id));
        return query.toString();
    }

    private static void append(StringBuilder query, String name, String value) {
        query.append(query.isEmpty() ? '?' : '&').append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw MatrixException.badJson("'" + field + "' must be a string");
        }
        return Optional.of(value.asText());
    }

    private static int integer(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("'limit' must be an integer");
        }
    }

    private static boolean bool(String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam("'include_all_networks' must be true or false");
        };
    }
}

package dev.myelin.server.sync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.FilterStore;
import dev.myelin.server.sync.filter.Filter;

import java.io.IOException;
import java.util.Optional;

/** Uploaded filters (spec: client-server-api "Filtering"), and resolving a request's {@code filter} parameter. */
public final class FilterService {
    private final FilterStore store;

    public FilterService(FilterStore store) {
        this.store = store;
    }

    /** Validates and stores a filter; returns its id. */
    public String upload(String userId, JsonNode json) {
        Filter.parse(json);
        return Long.toString(store.add(userId, json.toString()));
    }

    public Optional<JsonNode> get(String userId, String filterId) {
        long id;
        try {
            id = Long.parseLong(filterId);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return store.get(userId, id).map(FilterService::readStored);
    }

    /**
     * The filter a request names: inline JSON when it starts with "{" (spec: GET /sync "filter"), otherwise the id of
     * one of the user's filters.
     */
    public Filter resolve(String userId, Optional<String> parameter) {
        if (parameter.isEmpty() || parameter.get().isEmpty()) {
            return Filter.NONE;
        }
        String value = parameter.get();
        if (value.trim().startsWith("{")) {
            try {
                return Filter.parse(Json.MAPPER.readTree(value));
            } catch (IOException e) {
                throw MatrixException.badJson("'filter' is not valid JSON");
            }
        }
        return Filter.parse(get(userId, value).orElseThrow(() -> MatrixException.notFound("No such filter")));
    }

    private static JsonNode readStored(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("a stored filter is not JSON", e);
        }
    }
}

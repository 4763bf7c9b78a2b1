package dev.myelin.server.appservice;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The homeserver asking application services about things it does not know (spec: application-service-api
 * "Querying", "Third-party networks"): a user or room alias in their namespaces that does not exist yet (the service
 * may create it before answering 200), and the third-party protocols, locations and users they declare.
 */
public final class AppServiceQueries {
    private static final Logger LOG = LoggerFactory.getLogger(AppServiceQueries.class);

    private final AppServices appServices;
    private final AppServiceClient client;

    public AppServiceQueries(AppServices appServices, AppServiceClient client) {
        this.appServices = appServices;
        this.client = client;
    }

    /** Asks the service covering an unknown local user to create it; true if it answered that it exists. */
    public boolean queryUser(String userId) {
        return appServices.forUser(userId).map(registration ->
                ok(registration, "/_matrix/app/v1/users/" + AppServiceClient.segment(userId))).orElse(false);
    }

    /** Asks the services covering an unknown local alias to create it; true once one answered that it exists. */
    public boolean queryAlias(String alias) {
        for (AppServiceRegistration registration : appServices.forAlias(alias)) {
            if (ok(registration, "/_matrix/app/v1/rooms/" + AppServiceClient.segment(alias))) {
                return true;
            }
        }
        return false;
    }

    private boolean ok(AppServiceRegistration registration, String path) {
        try {
            return client.get(registration, path, Map.of()).ok();
        } catch (IOException e) {
            LOG.warn("Query {} to application service {} failed: {}", path, registration.id(), e.getMessage());
            return false;
        }
    }

    /** Every protocol the services declare, with the metadata of the first service that answers for it. */
    public Map<String, JsonNode> protocols() {
        var out = new java.util.LinkedHashMap<String, JsonNode>();
        for (AppServiceRegistration registration : appServices.all()) {
            for (String protocol : registration.protocols()) {
                if (!out.containsKey(protocol)) {
                    protocol(protocol).ifPresent(metadata -> out.put(protocol, metadata));
                }
            }
        }
        return out;
    }

    /** A protocol's metadata from a service that declares it; empty when none does or none answers. */
    public Optional<JsonNode> protocol(String protocol) {
        for (AppServiceRegistration registration : declaring(protocol)) {
            Optional<JsonNode> answer = json(registration,
                    "/_matrix/app/v1/thirdparty/protocol/" + AppServiceClient.segment(protocol), Map.of());
            if (answer.filter(JsonNode::isObject).isPresent()) {
                return answer;
            }
        }
        return Optional.empty();
    }

    /**
     * The results of a third-party lookup ({@code kind} "location" or "user"), by protocol and fields, or (protocol
     * null) the reverse lookup by alias or user id, gathered from every service asked.
     */
    public List<JsonNode> lookup(String kind, String protocol, Map<String, String> query) {
        var results = new ArrayList<JsonNode>();
        List<AppServiceRegistration> asked = protocol == null
                ? appServices.all().stream().filter(r -> r.url().isPresent() && !r.protocols().isEmpty()).toList()
                : declaring(protocol);
        String path = "/_matrix/app/v1/thirdparty/" + kind
                + (protocol == null ? "" : "/" + AppServiceClient.segment(protocol));
        for (AppServiceRegistration registration : asked) {
            json(registration, path, query).filter(JsonNode::isArray).ifPresent(array -> array.forEach(results::add));
        }
        return results;
    }

    /** Whether any service declares the protocol. */
    public boolean declared(String protocol) {
        return !declaring(protocol).isEmpty();
    }

    private List<AppServiceRegistration> declaring(String protocol) {
        return appServices.all().stream()
                .filter(r -> r.url().isPresent() && r.protocols().contains(protocol)).toList();
    }

    private Optional<JsonNode> json(AppServiceRegistration registration, String path, Map<String, String> query) {
        try {
            var answer = client.get(registration, path, query);
            return answer.ok() ? Optional.of(answer.json()) : Optional.empty();
        } catch (IOException e) {
            LOG.warn("Query {} to application service {} failed: {}", path, registration.id(), e.getMessage());
            return Optional.empty();
        }
    }
}

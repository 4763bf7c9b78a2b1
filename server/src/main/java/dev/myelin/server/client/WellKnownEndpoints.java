package dev.myelin.server.client;

import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * /.well-known/matrix/client (spec: client-server-api "Well-known URIs"), /.well-known/matrix/support
 * (support.yaml, v1.10) and /.well-known/matrix/server (spec: server-server-api "Resolving server names").
 */
public final class WellKnownEndpoints {
    private final Map<String, Object> client;
    private final Optional<Map<String, Object>> server;
    private final Optional<Map<String, Object>> support;

    public WellKnownEndpoints(URI publicBaseUrl, MyelinConfig.WellKnown config) {
        String baseUrl = publicBaseUrl.toString();
        // The spec's example has no trailing slash; clients append paths to base_url.
        this.client = Map.of("m.homeserver", Map.of("base_url",
                baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl));
        this.server = config.server().map(value -> Map.of("m.server", value));
        this.support = support(config);
    }

    /** At least one of contacts or support page, else nothing is served (404). */
    private static Optional<Map<String, Object>> support(MyelinConfig.WellKnown config) {
        var contacts = new ArrayList<Map<String, String>>();
        addContacts(contacts, config.adminContacts(), "m.role.admin");
        addContacts(contacts, config.securityContacts(), "m.role.security");
        if (contacts.isEmpty() && config.supportPage().isEmpty()) {
            return Optional.empty();
        }
        var body = new LinkedHashMap<String, Object>();
        if (!contacts.isEmpty()) {
            body.put("contacts", contacts);
        }
        config.supportPage().ifPresent(page -> body.put("support_page", page));
        return Optional.of(body);
    }

    private static void addContacts(List<Map<String, String>> out, List<String> contacts, String role) {
        for (String contact : contacts) {
            out.add(Map.of("role", role, contact.startsWith("@") ? "matrix_id" : "email_address", contact));
        }
    }

    public MatrixResponse client(MatrixRequest request) {
        return MatrixResponse.ok(client);
    }

    public MatrixResponse support(MatrixRequest request) {
        return MatrixResponse.ok(support.orElseThrow(() ->
                MatrixException.notFound("No support information is configured")));
    }

    public MatrixResponse server(MatrixRequest request) {
        return MatrixResponse.ok(server.orElseThrow(() ->
                MatrixException.notFound("This server does not delegate federation through .well-known")));
    }
}

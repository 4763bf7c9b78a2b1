package dev.myelin.server.http;

import org.eclipse.jetty.http.HttpFields;

import java.util.Collection;

/**
 * The CORS headers every response carries (spec: client-server-api "Web Browser Clients"):
 * any origin, every method the route table answers, and the headers clients send.
 */
final class CorsHeaders {
    private final String allowMethods;

    CorsHeaders(Collection<String> methods) {
        var all = new java.util.TreeSet<>(methods);
        all.add("OPTIONS");
        this.allowMethods = String.join(", ", all);
    }

    void apply(HttpFields.Mutable headers) {
        headers.put("Access-Control-Allow-Origin", "*");
        headers.put("Access-Control-Allow-Methods", allowMethods);
        headers.put("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization");
    }
}

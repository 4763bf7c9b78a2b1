package dev.myelin.server.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The route table: a tree of path segments. Literal segments win over {@code {param}} segments.
 * Segments are matched on the raw (still percent-encoded) path and decoded one by one, so that an
 * encoded {@code /} inside a state key or room alias stays inside its parameter.
 */
public final class Router {

    /** Client-Server API prefixes: every current endpoint under v3, and the historical r0 too. */
    public static final List<String> CLIENT_V3_AND_R0 = List.of("/_matrix/client/v3", "/_matrix/client/r0");

    private final Node root = new Node();
    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Endpoint endpoint) {
        return add(method, template, endpoint, -1);
    }

    public Router add(String method, String template, Endpoint endpoint, long maxBodyBytes) {
        var route = new Route(method, template, endpoint, maxBodyBytes);
        Node node = root;
        for (String segment : split(template)) {
            if (segment.startsWith("{") && segment.endsWith("}")) {
                String name = segment.substring(1, segment.length() - 1);
                if (node.param == null) {
                    node.param = new Node();
                    node.paramName = name;
                } else if (!node.paramName.equals(name)) {
                    throw new IllegalArgumentException("Parameter {" + name + "} in " + template
                            + " clashes with {" + node.paramName + "} at the same position");
                }
                node = node.param;
            } else {
                node = node.literals.computeIfAbsent(segment, s -> new Node());
            }
        }
        if (node.byMethod.putIfAbsent(method, route) != null) {
            throw new IllegalArgumentException("Duplicate route " + method + " " + template);
        }
        routes.add(route);
        return this;
    }

    /** Adds the same route under each of the given prefixes (for example v3 and r0). */
    public Router add(String method, List<String> prefixes, String path, Endpoint endpoint) {
        for (String prefix : prefixes) {
            add(method, prefix + path, endpoint);
        }
        return this;
    }

    public List<Route> routes() {
        return List.copyOf(routes);
    }

    /** Every method some route answers, for CORS Access-Control-Allow-Methods. */
    public TreeSet<String> methods() {
        var methods = new TreeSet<String>();
        routes.forEach(route -> methods.add(route.method()));
        return methods;
    }

    public RouteMatch match(String method, String rawPath) {
        var params = new HashMap<String, String>(4);
        Node node = find(root, split(rawPath), 0, params);
        if (node == null || node.byMethod.isEmpty()) {
            return new RouteMatch.NotFound();
        }
        Route route = node.byMethod.get(method);
        if (route == null && "HEAD".equals(method)) {
            route = node.byMethod.get("GET");
        }
        if (route == null) {
            return new RouteMatch.WrongMethod(new TreeSet<>(node.byMethod.keySet()));
        }
        return new RouteMatch.Found(route, params);
    }

    private static Node find(Node node, List<String> segments, int index, Map<String, String> params) {
        if (index == segments.size()) {
            return node;
        }
        String segment = segments.get(index);
        Node literal = node.literals.get(segment);
        if (literal != null) {
            Node found = find(literal, segments, index + 1, params);
            if (found != null && !found.byMethod.isEmpty()) {
                return found;
            }
        }
        if (node.param != null) {
            String previous = params.put(node.paramName, decode(segment));
            Node found = find(node.param, segments, index + 1, params);
            if (found != null && !found.byMethod.isEmpty()) {
                return found;
            }
            if (previous == null) {
                params.remove(node.paramName);
            } else {
                params.put(node.paramName, previous);
            }
        }
        return null;
    }

    /** "/a/b/" gives [a, b, ""]: a trailing empty segment is an empty parameter (an empty state key). */
    private static List<String> split(String path) {
        var segments = new ArrayList<String>(8);
        int start = path.startsWith("/") ? 1 : 0;
        while (true) {
            int slash = path.indexOf('/', start);
            if (slash < 0) {
                segments.add(path.substring(start));
                return segments;
            }
            segments.add(path.substring(start, slash));
            start = slash + 1;
        }
    }

    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        try {
            // URLDecoder also turns '+' into ' ', which is wrong for a path: protect it first.
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            throw MatrixException.invalidParam("Malformed percent-encoding in path segment: " + segment);
        }
    }

    private static final class Node {
        final Map<String, Node> literals = new HashMap<>();
        final Map<String, Route> byMethod = new LinkedHashMap<>();
        Node param;
        String paramName;
    }
}

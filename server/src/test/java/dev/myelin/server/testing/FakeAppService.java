package dev.myelin.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.myelin.server.http.Json;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An application service on loopback (the JDK's HttpServer) speaking the homeserver -> AS API: it records every
 * request with its Authorization header, answers transactions (failing the next {@link #failNext} ones with 500),
 * and answers queries through handlers a test sets.
 */
public final class FakeAppService implements AutoCloseable {
    /** One request the homeserver made. */
    public record Received(String method, String path, String authorization, String body, int status) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** How a query is answered: status and JSON body. */
    public record Answer(int status, String body) {}

    public final List<Received> received = new CopyOnWriteArrayList<>();
    public final AtomicInteger failNext = new AtomicInteger();
    /** Handlers by path prefix (e.g. "/_matrix/app/v1/users/"), given the decoded rest of the path and query. */
    public final ConcurrentHashMap<String, Function<String, Answer>> handlers = new ConcurrentHashMap<>();
    private final HttpServer server;

    public FakeAppService() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The transactions received (with retries and failed attempts), in arrival order. */
    public List<Received> transactions() {
        return received.stream().filter(r -> r.path().startsWith("/_matrix/app/v1/transactions/")).toList();
    }

    /** Writes a registration file for this service into {@code dir}. */
    public Path writeRegistration(Path dir, String id, String asToken, String hsToken, String senderLocalpart,
                                  String namespaces, String extra) throws IOException {
        Path file = dir.resolve(id + ".yaml");
        Files.writeString(file, "id: " + id + "\nurl: " + url() + "\nas_token: " + asToken + "\nhs_token: " + hsToken
                + "\nsender_localpart: " + senderLocalpart + "\nnamespaces:\n" + namespaces + extra);
        return file;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Answer answer = new Answer(404, "{\"errcode\":\"M_NOT_FOUND\"}");
        if (path.startsWith("/_matrix/app/v1/transactions/")) {
            answer = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? new Answer(500, "{\"errcode\":\"M_UNKNOWN\"}") : new Answer(200, "{}");
        } else {
            for (var entry : handlers.entrySet()) {
                if (path.startsWith(entry.getKey())) {
                    String rest = URLDecoder.decode(path.substring(entry.getKey().length()), StandardCharsets.UTF_8);
                    String query = exchange.getRequestURI().getRawQuery();
                    answer = entry.getValue().apply(query == null ? rest
                            : rest + "?" + URLDecoder.decode(query, StandardCharsets.UTF_8));
                    break;
                }
            }
        }
        received.add(new Received(exchange.getRequestMethod(), URLDecoder.decode(path, StandardCharsets.UTF_8),
                exchange.getRequestHeaders().getFirst("Authorization"), body, answer.status()));
        byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), out.length);
        exchange.getResponseBody().write(out);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

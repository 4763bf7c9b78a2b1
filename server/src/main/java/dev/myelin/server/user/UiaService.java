package dev.myelin.server.user;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * User-interactive authentication (spec: client-server-api "User-Interactive Authentication API"). Sessions live in
 * memory for {@link #SESSION_LIFETIME_MS}; each is bound to what it authorizes (an operation and, for logged-in users,
 * the user), so a session completed for one request cannot authorize another kind of request.
 */
public final class UiaService {
    public static final long SESSION_LIFETIME_MS = 30 * 60_000L;
    private static final int MAX_SESSIONS = 100_000;

    /** Checks one stage's auth dict; throws a MatrixException (status ignored) when the stage fails. */
    @FunctionalInterface
    public interface StageChecker {
        void check(String type, JsonNode auth, Session session);
    }

    public static final class Session {
        final String id;
        final String boundTo;
        final long createdTs;
        final Set<String> completed = ConcurrentHashMap.newKeySet();
        final Map<String, String> data = new ConcurrentHashMap<>();

        Session(String id, String boundTo, long createdTs) {
            this.id = id;
            this.boundTo = boundTo;
            this.createdTs = createdTs;
        }

        public String id() {
            return id;
        }

        /** Values a stage stores for the operation, e.g. the registration token it checked. */
        public Map<String, String> data() {
            return data;
        }
    }

    private final Clock clock;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final List<Consumer<Session>> onExpiry = new ArrayList<>();
    private volatile long lastSweep;

    public UiaService(Clock clock) {
        this.clock = clock;
    }

    /** Called with each session dropped without completing (e.g. to release a reserved registration token use). */
    public void onAbandoned(Consumer<Session> listener) {
        onExpiry.add(listener);
    }

    /**
     * Runs UIA for a request body: returns the session once some flow is complete, otherwise throws the 401 that
     * tells the client what to do next. The caller removes the session with {@link #finish} after the operation.
     *
     * @param boundTo what the session authorizes, e.g. "register" or "password:@alice:example.org"
     */
    public Session authenticate(ObjectNode body, String boundTo, List<List<String>> flows, StageChecker checker) {
        sweep();
        JsonNode auth = body.get("auth");
        if (auth != null && !auth.isNull() && !auth.isObject()) {
            throw MatrixException.badJson("'auth' must be an object");
        }
        Session session = null;
        if (auth != null && auth.isObject() && auth.hasNonNull("session")) {
            if (!auth.get("session").isTextual()) {
                throw MatrixException.badJson("'auth.session' must be a string");
            }
            session = sessions.get(auth.get("session").asText());
            if (session == null || !session.boundTo.equals(boundTo)
                    || session.createdTs < clock.millis() - SESSION_LIFETIME_MS) {
                throw new MatrixException(400, ErrorCode.M_UNKNOWN, "Unknown or expired UIA session");
            }
        }
        if (session == null) {
            session = newSession(boundTo);
        }
        if (auth == null || auth.isNull() || !auth.isObject()) {
            throw challenge(session, flows, null);
        }
        JsonNode type = auth.get("type");
        if (type != null && !type.isNull()) {
            if (!type.isTextual()) {
                throw MatrixException.badJson("'auth.type' must be a string");
            }
            String stage = type.asText();
            boolean offered = flows.stream().anyMatch(flow -> flow.contains(stage));
            if (!offered) {
                throw challenge(session, flows, new MatrixException(400, ErrorCode.M_UNRECOGNIZED,
                        "Authentication type " + stage + " is not offered here"));
            }
            if (!session.completed.contains(stage)) {
                try {
                    checker.check(stage, auth, session);
                } catch (MatrixException failed) {
                    if (failed.errcode() == ErrorCode.M_LIMIT_EXCEEDED) {
                        throw failed;
                    }
                    throw challenge(session, flows, failed);
                }
                session.completed.add(stage);
            }
        }
        for (List<String> flow : flows) {
            if (session.completed.containsAll(flow)) {
                return session;
            }
        }
        throw challenge(session, flows, null);
    }

    /** Forgets a session whose operation is done. */
    public void finish(Session session) {
        sessions.remove(session.id);
    }

    private Session newSession(String boundTo) {
        if (sessions.size() >= MAX_SESSIONS) {
            throw new MatrixException(429, ErrorCode.M_LIMIT_EXCEEDED, "Too many authentication sessions",
                    Map.of("retry_after_ms", 60_000));
        }
        var session = new Session(Tokens.randomAlphanumeric(24), boundTo, clock.millis());
        sessions.put(session.id, session);
        return session;
    }

    private MatrixException challenge(Session session, List<List<String>> flows, MatrixException failure) {
        var body = new LinkedHashMap<String, Object>();
        body.put("flows", flows.stream().map(flow -> Map.of("stages", flow)).toList());
        body.put("params", Map.of());
        body.put("session", session.id);
        if (!session.completed.isEmpty()) {
            body.put("completed", List.copyOf(new LinkedHashSet<>(session.completed)));
        }
        if (failure == null) {
            return new UiaRequired(body);
        }
        return new MatrixException(401, failure.errcode(), failure.getMessage(), body);
    }

    private void sweep() {
        long now = clock.millis();
        if (now - lastSweep < 60_000 && sessions.size() < MAX_SESSIONS / 2) {
            return;
        }
        lastSweep = now;
        long cutoff = now - SESSION_LIFETIME_MS;
        sessions.values().removeIf(session -> {
            if (session.createdTs < cutoff) {
                onExpiry.forEach(listener -> listener.accept(session));
                return true;
            }
            return false;
        });
    }

    /**
     * The first 401 of a UIA exchange: the body has flows, params and session but no errcode. The dispatcher renders
     * it like any MatrixException; endpoints call {@link #body()} to answer it without an errcode.
     */
    public static final class UiaRequired extends MatrixException {
        private final Map<String, Object> body;

        UiaRequired(Map<String, Object> body) {
            super(401, ErrorCode.M_UNAUTHORIZED, "Additional authentication is required", body);
            this.body = body;
        }

        public Map<String, Object> body() {
            return body;
        }
    }
}

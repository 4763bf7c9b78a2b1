package dev.myelin.server.accountdata;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.AccountDataStore;
import dev.myelin.server.storage.sql.SqlAccountDataStore;
import dev.myelin.server.sync.Notifier;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A user's account data (spec: modules "Client Config"), global or per room. Every change wakes the user's
 * long-polls. Other features read it here (e.g. {@code m.ignored_user_list}); types the server keeps elsewhere (e.g.
 * {@code m.push_rules}) are {@link #provide provided} by their owner so they read like stored account data.
 */
public final class AccountDataService {
    /**
     * Types clients cannot set through the account data API (spec: "Server Behaviour", 405 M_BAD_JSON): the fully
     * read marker moves through {@code /read_markers}, push rules through {@code /pushrules}.
     */
    public static final Set<String> SERVER_MANAGED = Set.of("m.fully_read", "m.push_rules");

    private final AccountDataStore store;
    private final Notifier notifier;
    private final Map<String, Function<String, Optional<ObjectNode>>> provided = new ConcurrentHashMap<>();

    public AccountDataService(AccountDataStore store, Notifier notifier) {
        this.store = store;
        this.notifier = notifier;
    }

    /** Global account data of {@code type} that another feature keeps, read through {@code reader(userId)}. */
    public void provide(String type, Function<String, Optional<ObjectNode>> reader) {
        provided.put(type, reader);
    }

    public Optional<ObjectNode> global(String userId, String type) {
        Function<String, Optional<ObjectNode>> reader = provided.get(type);
        if (reader != null) {
            return reader.apply(userId);
        }
        return store.get(userId, AccountDataStore.GLOBAL, type).map(AccountDataService::parse);
    }

    public Optional<ObjectNode> room(String userId, String roomId, String type) {
        return store.get(userId, roomId, type).map(AccountDataService::parse);
    }

    public void putGlobal(String userId, String type, ObjectNode content) {
        changed(userId, store.put(userId, AccountDataStore.GLOBAL, type, content.toString()));
    }

    public void putRoom(String userId, String roomId, String type, ObjectNode content) {
        changed(userId, store.put(userId, roomId, type, content.toString()));
    }

    /** Replaces a room's account data of {@code type} by what {@code change} makes of it (empty object when absent). */
    public void updateRoom(String userId, String roomId, String type, UnaryOperator<ObjectNode> change) {
        changed(userId, store.update(userId, roomId, type, current -> change.apply(
                current.map(AccountDataService::parse).orElseGet(Json.MAPPER::createObjectNode)).toString()));
    }

    /** Tells the user's long-polls that account data reached {@code position}. */
    public void changed(String userId, long position) {
        notifier.advanced(SqlAccountDataStore.STREAM, position, List.of(userId));
    }

    static ObjectNode parse(String content) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(content);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

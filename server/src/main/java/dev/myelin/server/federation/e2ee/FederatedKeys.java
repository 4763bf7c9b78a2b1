package dev.myelin.server.federation.e2ee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.e2ee.RemoteKeys;
import dev.myelin.server.federation.edu.RoomServers;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keys of users on other servers for {@code /keys/query} and {@code /keys/claim}: each server is asked at once, in
 * parallel, and what has not answered by the timeout is listed in {@code failures} (spec: "failures": the servers
 * that could not be reached). Device lists come from {@link RemoteDeviceLists} (cached when kept current by EDUs);
 * one-time keys are claimed with {@code POST /user/keys/claim}.
 */
public final class FederatedKeys implements RemoteKeys {
    private final RemoteDeviceLists deviceLists;
    private final FederationClient client;

    public FederatedKeys(RemoteDeviceLists deviceLists, FederationClient client) {
        this.deviceLists = deviceLists;
        this.client = client;
    }

    @Override
    public void query(Map<String, Map<String, List<String>>> byServer, Duration timeout, ObjectNode response) {
        var tasks = new LinkedHashMap<String, Callable<ObjectNode>>();
        byServer.forEach((server, users) -> tasks.put(server, () -> queryServer(users)));
        askAll(tasks, timeout, response).forEach((server, answer) -> {
            for (String field : List.of("device_keys", "master_keys", "self_signing_keys")) {
                answer.path(field).properties().forEach(user ->
                        response.withObject("/" + field).set(user.getKey(), user.getValue()));
            }
        });
    }

    /** One server's users as a key query answer part, from their device lists. */
    private ObjectNode queryServer(Map<String, List<String>> users) throws FederationException {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        for (var user : users.entrySet()) {
            String userId = user.getKey();
            ObjectNode list = deviceLists.devices(userId);
            ObjectNode forUser = answer.withObject("/device_keys").putObject(userId);
            for (JsonNode device : list.path("devices")) {
                String deviceId = device.path("device_id").textValue();
                if (!user.getValue().isEmpty() && !user.getValue().contains(deviceId)) {
                    continue;
                }
                ObjectNode keys = device.path("keys").deepCopy();
                if (device.path("device_display_name").isTextual()) {
                    keys.putObject("unsigned").set("device_display_name", device.get("device_display_name"));
                }
                forUser.set(deviceId, keys);
            }
            if (list.path("master_key").isObject()) {
                answer.withObject("/master_keys").set(userId, list.get("master_key"));
            }
            if (list.path("self_signing_key").isObject()) {
                answer.withObject("/self_signing_keys").set(userId, list.get("self_signing_key"));
            }
        }
        return answer;
    }

    @Override
    public void claim(Map<String, ObjectNode> byServer, Duration timeout, ObjectNode response) {
        var tasks = new LinkedHashMap<String, Callable<ObjectNode>>();
        byServer.forEach((server, wanted) -> tasks.put(server, () -> {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.set("one_time_keys", wanted);
            JsonNode answer = client.post(server, "/_matrix/federation/v1/user/keys/claim", body);
            return answer instanceof ObjectNode object ? object : Json.MAPPER.createObjectNode();
        }));
        askAll(tasks, timeout, response).forEach((server, answer) ->
                answer.path("one_time_keys").properties().forEach(user -> {
                    if (server.equals(RoomServers.serverOf(user.getKey())) && user.getValue().isObject()) {
                        response.withObject("/one_time_keys").set(user.getKey(), user.getValue());
                    }
                }));
    }

    /** Runs the tasks in parallel; those failed or unfinished by the timeout go to {@code failures}. */
    private static Map<String, ObjectNode> askAll(Map<String, Callable<ObjectNode>> tasks, Duration timeout,
                                                  ObjectNode response) {
        var answers = new LinkedHashMap<String, ObjectNode>();
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            var futures = new LinkedHashMap<String, Future<ObjectNode>>();
            tasks.forEach((server, task) -> futures.put(server, executor.submit(task)));
            long deadline = System.nanoTime() + timeout.toNanos();
            futures.forEach((server, future) -> {
                try {
                    answers.put(server, future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (TimeoutException e) {
                    future.cancel(true);
                    failure(response, server, 504, "Timed out");
                } catch (ExecutionException e) {
                    int status = e.getCause() instanceof FederationException fe && fe.status() > 0 ? fe.status() : 503;
                    failure(response, server, status, String.valueOf(e.getCause().getMessage()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure(response, server, 503, "Interrupted");
                }
            });
        } finally {
            executor.shutdownNow(); // without waiting for servers that did not answer in time
        }
        return answers;
    }

    private static void failure(ObjectNode response, String server, int status, String message) {
        response.withObject("/failures").putObject(server).put("status", status).put("message", message);
    }
}

package dev.myelin.server.e2ee;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The keys of users on other servers, for {@code /keys/query} and {@code /keys/claim} (spec: end_to_end_encryption
 * "Key management API": the server asks the users' servers, waiting at most {@code timeout}, and lists those it
 * could not reach in {@code failures}).
 */
public interface RemoteKeys {

    /**
     * Adds to {@code response} ({@code device_keys}, {@code master_keys}, {@code self_signing_keys},
     * {@code failures}) the keys of remote users.
     *
     * @param byServer server name to user id to the device ids wanted (empty: all)
     */
    void query(Map<String, Map<String, List<String>>> byServer, Duration timeout, ObjectNode response);

    /**
     * Claims keys of remote devices into {@code response} ({@code one_time_keys}, {@code failures}).
     *
     * @param byServer server name to the {@code one_time_keys} request for its users
     */
    void claim(Map<String, ObjectNode> byServer, Duration timeout, ObjectNode response);

    /** Until federation is wired: every server is a failure. */
    RemoteKeys UNREACHABLE = new RemoteKeys() {
        @Override
        public void query(Map<String, Map<String, List<String>>> byServer, Duration timeout, ObjectNode response) {
            byServer.keySet().forEach(server -> fail(response, server));
        }

        @Override
        public void claim(Map<String, ObjectNode> byServer, Duration timeout, ObjectNode response) {
            byServer.keySet().forEach(server -> fail(response, server));
        }

        private static void fail(ObjectNode response, String server) {
            response.withObject("/failures").putObject(server).put("status", 503)
                    .put("message", "Federation is not available");
        }
    };
}

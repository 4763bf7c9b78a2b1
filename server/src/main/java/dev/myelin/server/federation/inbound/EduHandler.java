package dev.myelin.server.federation.inbound;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Receives the EDUs of one {@code edu_type} from inbound transactions (spec: server-server-api "EDUs"), in order
 * per origin. EDUs of types nobody registered are ignored, as the spec allows.
 */
@FunctionalInterface
public interface EduHandler {

    /** Handles one EDU's content from {@code origin}. A failure is logged and does not fail the transaction. */
    void handle(String origin, JsonNode content) throws Exception;
}

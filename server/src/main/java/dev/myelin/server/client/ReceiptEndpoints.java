package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.receipt.ReceiptService;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Receipts and read markers (spec: modules/receipts.md, receipts.yaml; modules/read_markers.md, read_markers.yaml).
 */
public final class ReceiptEndpoints {
    private final Authenticator authenticator;
    private final ReceiptService receipts;

    public ReceiptEndpoints(Authenticator authenticator, ReceiptService receipts) {
        this.authenticator = authenticator;
        this.receipts = receipts;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("POST", v3, "/rooms/{roomId}/receipt/{receiptType}/{eventId}", this::receipt);
        router.add("POST", v3, "/rooms/{roomId}/read_markers", this::readMarkers);
    }

    private MatrixResponse receipt(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        String roomId = request.pathParam("roomId");
        String type = request.pathParam("receiptType");
        String eventId = request.pathParam("eventId");
        ObjectNode body = request.jsonObject();
        Optional<String> threadId = Optional.empty();
        JsonNode thread = body.get("thread_id");
        if (thread != null) {
            if (!thread.isTextual() || thread.asText().isEmpty()) {
                throw MatrixException.invalidParam("'thread_id' must be a non-empty string");
            }
            threadId = Optional.of(thread.asText());
        }
        switch (type) {
            case ReceiptService.READ, ReceiptService.READ_PRIVATE ->
                    receipts.update(requester.userId(), roomId, Map.of(type, eventId), threadId, Optional.empty());
            case ReceiptService.FULLY_READ -> {
                if (threadId.isPresent()) {
                    throw MatrixException.invalidParam("'thread_id' cannot be given for m.fully_read");
                }
                receipts.update(requester.userId(), roomId, Map.of(), Optional.empty(), Optional.of(eventId));
            }
            default -> throw MatrixException.invalidParam(
                    "Receipt type must be m.read, m.read.private or m.fully_read, not " + type);
        }
        return MatrixResponse.empty();
    }

    private MatrixResponse readMarkers(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        ObjectNode body = request.jsonObject();
        Optional<String> fullyRead = Fields.string(body, ReceiptService.FULLY_READ);
        var read = new LinkedHashMap<String, String>();
        Fields.string(body, ReceiptService.READ).ifPresent(id -> read.put(ReceiptService.READ, id));
        Fields.string(body, ReceiptService.READ_PRIVATE).ifPresent(id -> read.put(ReceiptService.READ_PRIVATE, id));
        receipts.update(requester.userId(), request.pathParam("roomId"), read, Optional.empty(), fullyRead);
        return MatrixResponse.empty();
    }
}

package dev.myelin.server.federation.inbound;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Optional;

/**
 * Receives the PDUs of inbound transactions, a transaction at a time and in order per origin (spec: server-server-api
 * "Transactions", "Checks performed on receipt of a PDU"). The room side implements it; until it is registered,
 * {@link UnknownRoomPdus} answers every PDU with an error.
 */
@FunctionalInterface
public interface PduHandler {

    /**
     * The outcome for the transaction's {@code pdus} result map.
     *
     * @param eventId the PDU's event id, computed with its room's version
     * @param error   why it was not accepted; empty when it was (or was already known)
     */
    record Outcome(String eventId, Optional<String> error) {
        public static Outcome accepted(String eventId) {
            return new Outcome(eventId, Optional.empty());
        }

        public static Outcome failed(String eventId, String error) {
            return new Outcome(eventId, Optional.of(error));
        }
    }

    /** Handles one PDU sent by {@code origin}, as received (its original JSON). Must not throw for bad PDUs. */
    Outcome handle(String origin, ObjectNode pdu);

    /** Handles the PDUs of one transaction, in order; the outcomes are in the same order. */
    default List<Outcome> handleAll(String origin, List<ObjectNode> pdus) {
        return pdus.stream().map(pdu -> handle(origin, pdu)).toList();
    }
}

package dev.myelin.server.federation.inbound;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where other areas register what they do with inbound PDUs and EDUs (wired in Homeserver before listeners start):
 * one PDU handler, and one EDU handler per {@code edu_type}.
 */
public final class InboundHandlers {
    private volatile PduHandler pdus = new UnknownRoomPdus();
    private final Map<String, EduHandler> edus = new ConcurrentHashMap<>();

    public void pduHandler(PduHandler handler) {
        this.pdus = handler;
    }

    public void eduHandler(String eduType, EduHandler handler) {
        if (edus.putIfAbsent(eduType, handler) != null) {
            throw new IllegalStateException("An EDU handler for " + eduType + " is already registered");
        }
    }

    public PduHandler pdus() {
        return pdus;
    }

    public Optional<EduHandler> edu(String eduType) {
        return Optional.ofNullable(edus.get(eduType));
    }
}

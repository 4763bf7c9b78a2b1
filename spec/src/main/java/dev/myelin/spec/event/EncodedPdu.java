package dev.myelin.spec.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * An event together with the exact bytes it travels as. Received events keep the bytes the origin
 * sent, so nothing another server signed is ever re-serialised; local events keep the canonical
 * JSON they were signed as.
 */
public final class EncodedPdu {
    private final byte[] bytes;
    private final Pdu pdu;

    EncodedPdu(byte[] bytes, Pdu pdu) {
        this.bytes = Objects.requireNonNull(bytes, "bytes");
        this.pdu = Objects.requireNonNull(pdu, "pdu");
    }

    public Pdu pdu() {
        return pdu;
    }

    public String eventId() {
        return pdu.eventId();
    }

    /** A copy of the JSON bytes, for storage or forwarding. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncodedPdu encoded && encoded.pdu.equals(pdu) && Arrays.equals(encoded.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return pdu.hashCode();
    }

    @Override
    public String toString() {
        return "EncodedPdu[" + pdu + ", " + bytes.length + " bytes]";
    }
}

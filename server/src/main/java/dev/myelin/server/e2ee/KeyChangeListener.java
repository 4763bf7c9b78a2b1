package dev.myelin.server.e2ee;

import java.util.Collection;

/**
 * Told when what {@code /keys/query} shows for a user changed (e.g. to send {@code m.device_list_update} and
 * {@code m.signing_key_update} EDUs to other servers).
 */
@FunctionalInterface
public interface KeyChangeListener {
    /**
     * @param position the device-list stream position of the change
     * @param keyIds   the device ids or cross-signing public keys that changed; empty when the user's cross-signing
     *                 keys were replaced
     */
    void keysChanged(String userId, long position, Collection<String> keyIds);
}

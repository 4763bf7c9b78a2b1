package dev.myelin.server.storage;

import java.util.List;
import java.util.Optional;

/** The verify keys of servers, ours included, and the signed key responses they came from (for notary queries). */
public interface ServerKeyStore {

    /**
     * A verify key.
     *
     * @param publicKey    unpadded base64
     * @param validUntilTs until when the key may be used (for remote keys at most 7 days after fetching)
     * @param expiredTs    for old keys, when they stopped being used; empty for current keys
     */
    record ServerKey(String serverName, String keyId, String publicKey, long validUntilTs, Optional<Long> expiredTs,
                     long fetchedTs) {
    }

    /** A signed /_matrix/key/v2/server response, as received, with the latest validity of its keys. */
    record KeyResponse(byte[] json, long validUntilTs) {
    }

    Optional<ServerKey> key(String serverName, String keyId);

    List<ServerKey> keys(String serverName);

    /**
     * Stores the keys of one signed response from {@code serverName} (or a notary about it). A key already known
     * keeps the later of its two validities, so an older response replayed by a notary cannot shorten it.
     */
    void store(String serverName, List<ServerKey> keys, byte[] responseJson);

    /** The distinct signed responses stored for a server, newest validity first. */
    List<KeyResponse> responses(String serverName);

    /**
     * Records our current signing key: any other key of ours still current is expired now (rotation keeps old keys,
     * which still verify the events they signed).
     */
    void useLocalKey(String serverName, String keyId, String publicKey, long nowTs);
}

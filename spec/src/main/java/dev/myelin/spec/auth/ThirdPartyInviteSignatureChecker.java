package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Verifies the signatures of a third-party invite's {@code signed} object (spec: rooms auth rule
 * "If any signature in signed matches any public key in the m.room.third_party_invite event, allow").
 * Implemented where Ed25519 and canonical JSON live.
 */
@FunctionalInterface
public interface ThirdPartyInviteSignatureChecker {
    /** Whether any signature in {@code signed} verifies with any of the unpadded-base64 public keys. */
    boolean anySignatureMatches(ObjectNode signed, List<String> publicKeys);
}

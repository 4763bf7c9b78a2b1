package dev.myelin.spec.crypto;

import dev.myelin.spec.json.UnpaddedBase64;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.util.Arrays;

/**
 * An Ed25519 public key with its key id, as servers publish them (spec: server-server-api
 * "Retrieving server keys"). The decoded key (curve point) is kept so that each verification skips decoding.
 */
public final class VerifyKey {
    private final String keyId;
    private final Ed25519PublicKeyParameters publicKey;

    VerifyKey(String keyId, Ed25519PublicKeyParameters publicKey) {
        this.keyId = KeyIds.requireEd25519(keyId);
        this.publicKey = publicKey;
    }

    /** @throws IllegalArgumentException if the key id or the 32-byte key is malformed */
    public static VerifyKey of(String keyId, byte[] publicKey) {
        if (publicKey.length != Ed25519PublicKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("an ed25519 public key has 32 bytes, not " + publicKey.length);
        }
        return new VerifyKey(keyId, new Ed25519PublicKeyParameters(publicKey, 0));
    }

    /** From the unpadded base64 form found in key responses. */
    public static VerifyKey fromBase64(String keyId, String publicKey) {
        return of(keyId, UnpaddedBase64.decode(publicKey));
    }

    public String keyId() {
        return keyId;
    }

    public byte[] publicKey() {
        return publicKey.getEncoded();
    }

    public String publicKeyBase64() {
        return UnpaddedBase64.encode(publicKey.getEncoded());
    }

    /** Whether the 64-byte signature is valid for the message under this key. */
    public boolean verify(byte[] message, byte[] signature) {
        if (signature.length != Ed25519PublicKeyParameters.KEY_SIZE * 2) {
            return false;
        }
        return publicKey.verify(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VerifyKey key && key.keyId.equals(keyId)
                && Arrays.equals(key.publicKey.getEncoded(), publicKey.getEncoded());
    }

    @Override
    public int hashCode() {
        return keyId.hashCode();
    }

    @Override
    public String toString() {
        return keyId + " " + publicKeyBase64();
    }
}

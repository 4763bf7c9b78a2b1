package dev.myelin.spec.crypto;

import dev.myelin.spec.json.UnpaddedBase64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

import java.security.SecureRandom;

/**
 * A server's Ed25519 signing key: a key id such as {@code ed25519:a_XyZw} and a 32-byte seed
 * (spec: appendices "Signing Details"). The BouncyCastle key object, which caches the public key,
 * is built once and signs directly, without the copying and locking of {@code Ed25519Signer}.
 */
public final class SigningKey {
    private static final String VERSION_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final String keyId;
    private final Ed25519PrivateKeyParameters privateKey;
    private final VerifyKey verifyKey;

    private SigningKey(String keyId, Ed25519PrivateKeyParameters privateKey) {
        this.keyId = KeyIds.requireEd25519(keyId);
        this.privateKey = privateKey;
        this.verifyKey = new VerifyKey(keyId, privateKey.generatePublicKey());
    }

    /** A new key with a random version "a_" + 4 letters or digits, the usual shape. */
    public static SigningKey generate(SecureRandom random) {
        StringBuilder version = new StringBuilder("a_");
        for (int i = 0; i < 4; i++) {
            version.append(VERSION_CHARS.charAt(random.nextInt(VERSION_CHARS.length())));
        }
        return generate(KeyIds.ED25519_PREFIX + version, random);
    }

    public static SigningKey generate(String keyId, SecureRandom random) {
        return new SigningKey(keyId, new Ed25519PrivateKeyParameters(random));
    }

    /** @throws IllegalArgumentException unless the seed has 32 bytes */
    public static SigningKey fromSeed(String keyId, byte[] seed) {
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("an ed25519 seed has 32 bytes, not " + seed.length);
        }
        return new SigningKey(keyId, new Ed25519PrivateKeyParameters(seed, 0));
    }

    /** From the unpadded base64 seed, as stored in key files. */
    public static SigningKey fromBase64Seed(String keyId, String seed) {
        return fromSeed(keyId, UnpaddedBase64.decode(seed));
    }

    public String keyId() {
        return keyId;
    }

    public byte[] seed() {
        return privateKey.getEncoded();
    }

    public String seedBase64() {
        return UnpaddedBase64.encode(privateKey.getEncoded());
    }

    public VerifyKey verifyKey() {
        return verifyKey;
    }

    /** The 64-byte Ed25519 signature of the message. */
    public byte[] sign(byte[] message) {
        byte[] signature = new byte[Ed25519PrivateKeyParameters.SIGNATURE_SIZE];
        privateKey.sign(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
        return signature;
    }

    /** Never shows the seed. */
    @Override
    public String toString() {
        return "SigningKey[" + keyId + " " + verifyKey.publicKeyBase64() + "]";
    }
}

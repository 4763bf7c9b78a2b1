package dev.myelin.server.user;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Synapse's shared-secret registration ({@code /_synapse/admin/v1/register}): a client fetches a nonce, then sends
 * the new user with an HMAC-SHA1, keyed by {@code registration_shared_secret}, over
 * {@code nonce \0 username \0 password \0 (admin|notadmin)}. Nonces are single-use and expire after a minute.
 */
public final class SharedSecretRegistration {
    public static final long NONCE_LIFETIME_MS = 60_000;
    private static final int MAX_NONCES = 10_000;

    private final byte[] secret;
    private final Clock clock;
    private final ConcurrentHashMap<String, Long> nonces = new ConcurrentHashMap<>();

    public SharedSecretRegistration(String secret, Clock clock) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    public String newNonce() {
        long now = clock.millis();
        if (nonces.size() >= MAX_NONCES) {
            nonces.values().removeIf(created -> created < now - NONCE_LIFETIME_MS);
        }
        String nonce = Tokens.randomAlphanumeric(32);
        nonces.put(nonce, now);
        return nonce;
    }

    /** Takes a nonce: true if it was issued here less than a minute ago and not used before. */
    public boolean consumeNonce(String nonce) {
        Long created = nonces.remove(nonce);
        return created != null && created >= clock.millis() - NONCE_LIFETIME_MS;
    }

    /** Whether {@code macHex} is the right MAC for these fields (constant-time comparison). */
    public boolean verify(String nonce, String username, String password, boolean admin, String macHex) {
        byte[] given;
        try {
            given = HexFormat.of().parseHex(macHex.toLowerCase());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(secret, nonce, username, password, admin), given);
    }

    /** HMAC-SHA1 over nonce, user name, password and admin flag, NUL-separated. */
    public static byte[] mac(byte[] secret, String nonce, String username, String password, boolean admin) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            String message = nonce + "\0" + username + "\0" + password + "\0" + (admin ? "admin" : "notadmin");
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

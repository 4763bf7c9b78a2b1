package dev.myelin.server.voip;

import dev.myelin.server.config.MyelinConfig;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TURN credentials for coturn's REST API mode ({@code use-auth-secret}, "TURN REST API" draft): the username is
 * {@code <expiry unix seconds>:<user id>} and the password base64(HMAC-SHA1(shared secret, username)). Without
 * TURN URIs and a secret configured, nothing is offered: an empty object, as Synapse answers.
 */
public final class TurnCredentials {
    private final MyelinConfig.Voip config;
    private final Clock clock;

    public TurnCredentials(MyelinConfig.Voip config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public Map<String, Object> forUser(String userId) {
        if (config.turnUris().isEmpty() || config.turnSharedSecret().isEmpty()) {
            return Map.of();
        }
        long ttlSeconds = config.turnUserLifetime() / 1000;
        String username = (clock.millis() / 1000 + ttlSeconds) + ":" + userId;
        var out = new LinkedHashMap<String, Object>();
        out.put("username", username);
        out.put("password", password(config.turnSharedSecret().get(), username));
        out.put("uris", config.turnUris());
        out.put("ttl", ttlSeconds);
        return out;
    }

    static String password(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }
}

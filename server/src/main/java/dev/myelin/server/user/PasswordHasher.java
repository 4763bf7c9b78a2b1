package dev.myelin.server.user;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.Semaphore;

/**
 * Password hashes: new ones are Argon2id in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}, OWASP's minimum parameters); bcrypt hashes imported from
 * Synapse ({@code $2a$}, {@code $2b$}, {@code $2y$}) verify too. Hashing is CPU- and memory-bound, so at most a few
 * run at once (each Argon2id run holds {@code memoryKib} of memory); callers on virtual threads just wait.
 */
public final class PasswordHasher {
    /** OWASP Password Storage Cheat Sheet: Argon2id with m=19 MiB, t=2, p=1 at least. */
    public static final int DEFAULT_MEMORY_KIB = 19 * 1024;
    public static final int DEFAULT_ITERATIONS = 2;
    public static final int DEFAULT_PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final SecureRandom random = new SecureRandom();
    private final Semaphore running;

    public PasswordHasher() {
        this(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM);
    }

    public PasswordHasher(int memoryKib, int iterations, int parallelism) {
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
        this.running = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()), true);
    }

    /** A new Argon2id PHC string for the password. */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = argon2(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** Whether the password matches the stored hash (Argon2id PHC or bcrypt); false for any malformed hash. */
    public boolean verify(String password, String stored) {
        if (stored == null || password == null) {
            return false;
        }
        try {
            if (stored.startsWith("$argon2id$")) {
                return verifyArgon2id(password, stored);
            }
            if (stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$")) {
                return withPermit(() -> OpenBSDBCrypt.checkPassword(stored, password.toCharArray()));
            }
        } catch (RuntimeException malformed) {
            return false;
        }
        return false;
    }

    /** Whether the hash uses weaker parameters than this hasher's (a login may then re-hash). */
    public boolean needsRehash(String stored) {
        return stored == null || !stored.startsWith("$argon2id$v=19$m=" + memoryKib + ",t=" + iterations
                + ",p=" + parallelism + "$");
    }

    private boolean verifyArgon2id(String password, String stored) {
        // $argon2id$v=19$m=...,t=...,p=...$salt$hash
        String[] parts = stored.split("\\$");
        if (parts.length != 6 || !"v=19".equals(parts[2])) {
            return false;
        }
        int m = -1, t = -1, p = -1;
        for (String param : parts[3].split(",")) {
            String[] kv = param.split("=", 2);
            if (kv.length != 2) {
                return false;
            }
            int value = Integer.parseInt(kv[1]);
            switch (kv[0]) {
                case "m" -> m = value;
                case "t" -> t = value;
                case "p" -> p = value;
                default -> { return false; }
            }
        }
        if (m < 8 || m > 4 * 1024 * 1024 || t < 1 || t > 100 || p < 1 || p > 64) {
            return false;
        }
        byte[] salt = B64_DECODER.decode(parts[4]);
        byte[] expected = B64_DECODER.decode(parts[5]);
        if (expected.length < 16 || expected.length > 128) {
            return false;
        }
        byte[] actual = argon2(password, salt, m, t, p, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    private byte[] argon2(String password, byte[] salt, int m, int t, int p, int length) {
        var parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(m)
                .withIterations(t)
                .withParallelism(p)
                .withSalt(salt)
                .build();
        return withPermit(() -> {
            var generator = new Argon2BytesGenerator();
            generator.init(parameters);
            byte[] out = new byte[length];
            generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
            return out;
        });
    }

    private <T> T withPermit(java.util.function.Supplier<T> work) {
        running.acquireUninterruptibly();
        try {
            return work.get();
        } finally {
            running.release();
        }
    }
}

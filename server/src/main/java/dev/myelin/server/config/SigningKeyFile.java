package dev.myelin.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The server's Ed25519 signing key on disk, in the format Synapse uses so keys can move between
 * servers: one line {@code ed25519 <version> <unpadded base64 seed>}. The key id is "ed25519:version".
 */
public final class SigningKeyFile {
    /** The key id (such as "ed25519:a_XyZ1") and its 32-byte seed. */
    public record Entry(String keyId, byte[] seed) {
    }

    private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private SigningKeyFile() {
    }

    public static Entry loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            create(file);
        }
        String[] parts = Files.readString(file).trim().split("\\s+");
        if (parts.length != 3 || !parts[0].equals("ed25519") || !parts[1].matches("[A-Za-z0-9_]+")) {
            throw new ConfigException("Signing key file " + file + " must contain one line 'ed25519 <version> <base64 seed>'");
        }
        byte[] seed;
        try {
            seed = Base64.getDecoder().decode(parts[2].replace("=", "") + "=".repeat((4 - parts[2].length() % 4) % 4));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Signing key file " + file + ": the seed is not base64");
        }
        if (seed.length != 32) {
            throw new ConfigException("Signing key file " + file + ": the seed must be 32 bytes, got " + seed.length);
        }
        return new Entry("ed25519:" + parts[1], seed);
    }

    private static void create(Path file) throws IOException {
        var random = new SecureRandom();
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        var version = new StringBuilder("a_");
        for (int i = 0; i < 4; i++) {
            version.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        String line = "ed25519 " + version + " " + Base64.getEncoder().withoutPadding().encodeToString(seed) + "\n";
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, line);
        try {
            Files.setPosixFilePermissions(file, Set.of(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
        } catch (UnsupportedOperationException notPosix) {
            // Non-POSIX file systems keep their default permissions.
        }
    }
}

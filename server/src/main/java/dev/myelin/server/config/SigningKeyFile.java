package dev.myelin.server.config;

import dev.myelin.spec.crypto.SigningKey;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The server's Ed25519 signing key on disk, in the format Synapse uses so keys can move between
 * servers: one line {@code ed25519 <version> <unpadded base64 seed>}. The key id is "ed25519:version".
 */
public final class SigningKeyFile {
    private SigningKeyFile() {
    }

    public static SigningKey loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            create(file);
        }
        String[] parts = Files.readString(file).trim().split("\\s+");
        if (parts.length != 3 || !parts[0].equals("ed25519") || !parts[1].matches("[A-Za-z0-9_]+")) {
            throw new ConfigException("Signing key file " + file + " must contain one line 'ed25519 <version> <base64 seed>'");
        }
        try {
            return SigningKey.fromBase64Seed("ed25519:" + parts[1], parts[2]);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Signing key file " + file + ": the seed is not a base64 32-byte Ed25519 seed");
        }
    }

    /** Writes a new key into a file that only its owner can read from the moment it exists. */
    private static void create(Path file) throws IOException {
        SigningKey key = SigningKey.generate(new SecureRandom());
        String version = key.keyId().substring("ed25519:".length());
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileAttribute<?>[] ownerOnly = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        Files.createFile(file, ownerOnly);
        Files.writeString(file, "ed25519 " + version + " " + key.seedBase64() + "\n");
    }
}

package dev.myelin.server.media;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** OpenSSL's SHA-256 through FFM gives the JDK's digest for every way of feeding it. */
class NativeSha256Test {
    private static MessageDigest openSsl() {
        Optional<MessageDigest> digest = NativeSha256.create();
        assumeTrue(digest.isPresent(), "libcrypto.so.3 is not installed");
        return digest.get();
    }

    @Test
    void matchesTheJdkOnSlicesSingleBytesAndEmptyInput() throws Exception {
        MessageDigest native256 = openSsl();
        MessageDigest jdk = MessageDigest.getInstance("SHA-256");
        assertThat(native256.digest()).isEqualTo(jdk.digest());
        assertThat(HexFormat.of().formatHex(native256.digest("abc".getBytes())))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // FIPS 180-2 vector

        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        var random = new Random(4);
        for (int offset = 0; offset < data.length; ) {
            int length = Math.min(data.length - offset, random.nextInt(70_000));
            native256.update(data, offset, length);
            jdk.update(data, offset, length);
            native256.update(data[offset]);
            jdk.update(data[offset]);
            offset += length + 1;
        }
        assertThat(native256.digest()).isEqualTo(jdk.digest());
        // digest() resets, as a MessageDigest must.
        assertThat(native256.digest(data)).isEqualTo(jdk.digest(data));
    }

    @Test
    void mediaFilesHashWithIt() {
        openSsl();
        assertThat(MediaFiles.sha256()).isInstanceOf(NativeSha256.class);
    }
}

package dev.myelin.server.client;

import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.MediaTestSupport;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Local media lifetime: the clean-up job deletes old media with its file and thumbnails. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class MediaRetentionHttpTest {
    @Parameter
    Backend backend;

    static TestHomeserver server;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open", "media.local_media_lifetime=1s");
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    private static long files(String folder) throws Exception {
        Path root = server.dir().resolve("media").resolve(folder);
        try (var walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void expiredMediaIsDeletedWithItsFiles() throws Exception {
        String token = MediaTestSupport.registerUser(server.client());
        var upload = MediaTestSupport.upload(server.baseUrl(), "POST", "/_matrix/media/v3/upload", token, "image/jpeg",
                MediaTestSupport.jpeg(900, 700));
        String mxc = MediaTestSupport.text(upload).replaceAll(".*\"(mxc://[^\"]+)\".*", "$1");
        var thumbnail = MediaTestSupport.get(server.baseUrl(), "/_matrix/client/v1/media/thumbnail/" + mxc.substring(6)
                + "?width=96&height=96&method=crop", token);
        assertThat(thumbnail.statusCode()).isEqualTo(200);
        assertThat(files("content")).isEqualTo(1);
        assertThat(files("thumbnails")).isPositive();

        Thread.sleep(1100);
        var result = server.homeserver().media().retention().runOnce();
        assertThat(result.media()).isEqualTo(1);
        assertThat(files("content")).isZero();
        // Thumbnails are only stored while the file is referenced, so none outlive it.
        Thread.sleep(500);
        assertThat(files("thumbnails")).isZero();
        assertThat(MediaTestSupport.get(server.baseUrl(), "/_matrix/client/v1/media/download/" + mxc.substring(6), token)
                .statusCode()).isEqualTo(404);
    }
}

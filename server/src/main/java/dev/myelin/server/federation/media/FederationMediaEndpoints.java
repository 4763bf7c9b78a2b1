package dev.myelin.server.federation.media;

import dev.myelin.server.client.MediaQuery;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.media.ContentDisposition;
import dev.myelin.server.media.MediaService;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Our media for other servers (spec: server-server-api "Content Repository",
 * {@code GET /_matrix/federation/v1/media/download/{mediaId}} and {@code .../thumbnail/{mediaId}}): a
 * {@code multipart/mixed} answer whose first part is the (empty) JSON metadata object and whose second part is the
 * content with its type and disposition, streamed from the file. Only this server's media is served: a server never
 * relays media of a third one.
 */
public final class FederationMediaEndpoints {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MediaService media;

    public FederationMediaEndpoints(MediaService media) {
        this.media = media;
    }

    public void register(FederationRoutes routes) {
        routes.add("GET", FederationRoutes.V1 + "/media/download/{mediaId}", (request, origin) -> download(request));
        routes.add("GET", FederationRoutes.V1 + "/media/thumbnail/{mediaId}", (request, origin) -> thumbnail(request));
    }

    private MatrixResponse download(MatrixRequest request) throws Exception {
        MediaService.Download download = media.download(media.serverName(), request.pathParam("mediaId"),
                MediaQuery.timeout(request), false);
        return multipart(download, ContentDisposition.forMedia(download.contentType(), download.fileName()));
    }

    private MatrixResponse thumbnail(MatrixRequest request) throws Exception {
        int width = MediaQuery.dimension(request, "width");
        int height = MediaQuery.dimension(request, "height");
        boolean crop = MediaQuery.crop(request);
        boolean animated = MediaQuery.bool(request, "animated", false);
        MediaService.Download download = media.thumbnail(media.serverName(), request.pathParam("mediaId"), width,
                height, crop, animated, MediaQuery.timeout(request), false);
        return multipart(download, ContentDisposition.header("inline", download.fileName()));
    }

    /** The two parts around the file's bytes; the length is known before the first byte is written. */
    private static MatrixResponse multipart(MediaService.Download download, String disposition) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(download.file());
        } catch (NoSuchFileException e) {
            throw MatrixException.notFound("Media not found");
        }
        String boundary = HexFormat.of().formatHex(randomBytes());
        byte[] head = ("--" + boundary + "\r\nContent-Type: application/json\r\n\r\n{}\r\n"
                + "--" + boundary + "\r\nContent-Type: " + download.contentType()
                + "\r\nContent-Disposition: " + disposition + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        long length = head.length + channel.size() + tail.length;
        var body = new MatrixResponse.StreamingBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                try (channel; InputStream in = Channels.newInputStream(channel)) {
                    out.write(head);
                    in.transferTo(out);
                    out.write(tail);
                }
            }
        };
        return MatrixResponse.stream(200, "multipart/mixed; boundary=" + boundary, body);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}

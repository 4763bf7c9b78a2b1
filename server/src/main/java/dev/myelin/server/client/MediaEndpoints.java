package dev.myelin.server.client;

import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.media.ContentDisposition;
import dev.myelin.server.media.MediaService;
import dev.myelin.server.media.UrlPreviewService;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.Optional;

/**
 * The content repository (spec: modules/content_repo.md, content-repo.yaml, authed-content-repo.yaml): uploads under
 * /_matrix/media, downloads, thumbnails, config and URL previews under the authenticated /_matrix/client/v1/media,
 * and the deprecated unauthenticated /_matrix/media/v3 download and thumbnail endpoints, frozen: they only serve
 * media created before media.unauthenticated_frozen_since.
 */
public final class MediaEndpoints {
    /** Spec: content repo, the recommended policy, plus media-src for audio and video players. */
    static final String CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'; script-src 'none'; "
            + "plugin-types application/pdf; style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";

    private final Authenticator authenticator;
    private final MediaService media;
    private final Optional<UrlPreviewService> previews;

    public MediaEndpoints(Authenticator authenticator, MediaService media, Optional<UrlPreviewService> previews) {
        this.authenticator = authenticator;
        this.media = media;
        this.previews = previews;
    }

    public void register(Router router) {
        long maxUpload = media.maxUploadSize();
        router.add("POST", "/_matrix/media/v3/upload", this::upload, maxUpload);
        router.add("PUT", "/_matrix/media/v3/upload/{serverName}/{mediaId}", this::uploadTo, maxUpload);
        router.add("POST", "/_matrix/media/v1/create", this::create);

        String v1 = "/_matrix/client/v1/media";
        router.add("GET", v1 + "/download/{serverName}/{mediaId}", request -> download(request, false));
        router.add("GET", v1 + "/download/{serverName}/{mediaId}/{fileName}", request -> download(request, false));
        router.add("GET", v1 + "/thumbnail/{serverName}/{mediaId}", request -> thumbnail(request, false));
        router.add("GET", v1 + "/config", this::config);

        String legacy = "/_matrix/media/v3";
        router.add("GET", legacy + "/download/{serverName}/{mediaId}", request -> download(request, true));
        router.add("GET", legacy + "/download/{serverName}/{mediaId}/{fileName}", request -> download(request, true));
        router.add("GET", legacy + "/thumbnail/{serverName}/{mediaId}", request -> thumbnail(request, true));
        router.add("GET", legacy + "/config", this::config);
        if (previews.isPresent()) {
            router.add("GET", v1 + "/preview_url", this::preview);
            router.add("GET", legacy + "/preview_url", this::preview);
        }
    }

    private MatrixResponse upload(MatrixRequest request) throws IOException {
        Requester requester = authenticator.require(request);
        try (InputStream body = request.bodyStream()) {
            String uri = media.upload(requester.userId(), request.header("Content-Type"), request.query("filename"),
                    request.jetty().getLength(), body);
            return MatrixResponse.ok(Map.of("content_uri", uri));
        }
    }

    private MatrixResponse uploadTo(MatrixRequest request) throws IOException {
        Requester requester = authenticator.require(request);
        try (InputStream body = request.bodyStream()) {
            media.uploadTo(requester.userId(), request.pathParam("serverName"), request.pathParam("mediaId"),
                    request.header("Content-Type"), request.query("filename"), request.jetty().getLength(), body);
            return MatrixResponse.empty();
        }
    }

    private MatrixResponse create(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        MediaService.Created created = media.create(requester.userId());
        return MatrixResponse.ok(Map.of("content_uri", created.contentUri(),
                "unused_expires_at", created.unusedExpiresAt()));
    }

    private MatrixResponse config(MatrixRequest request) {
        authenticator.require(request);
        return MatrixResponse.ok(Map.of("m.upload.size", media.maxUploadSize()));
    }

    private MatrixResponse download(MatrixRequest request, boolean legacy) throws Exception {
        if (!legacy) {
            authenticator.require(request);
        }
        MediaService.Download download = media.download(request.pathParam("serverName"), request.pathParam("mediaId"),
                MediaQuery.timeout(request), legacy);
        Optional<String> fileName = request.pathParamIfPresent("fileName").or(download::fileName);
        return serve(download, ContentDisposition.forMedia(download.contentType(), fileName));
    }

    private MatrixResponse thumbnail(MatrixRequest request, boolean legacy) throws Exception {
        if (!legacy) {
            authenticator.require(request);
        }
        int width = MediaQuery.dimension(request, "width");
        int height = MediaQuery.dimension(request, "height");
        boolean crop = MediaQuery.crop(request);
        boolean animated = MediaQuery.bool(request, "animated", false);
        MediaService.Download download = media.thumbnail(request.pathParam("serverName"),
                request.pathParam("mediaId"), width, height, crop, animated, MediaQuery.timeout(request),
                legacy);
        // Spec: a thumbnail's disposition is always inline.
        return serve(download, ContentDisposition.header("inline", download.fileName()));
    }

    private MatrixResponse preview(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        String url = request.query("url").orElseThrow(() -> MatrixException.missingParam("url is required"));
        return MatrixResponse.ok(previews.orElseThrow().preview(requester.userId(), url));
    }

    private static MatrixResponse serve(MediaService.Download download, String disposition) throws IOException {
        // Length and bytes come from the same open file, whatever happens to the path meanwhile.
        FileChannel channel;
        try {
            channel = FileChannel.open(download.file());
        } catch (NoSuchFileException e) {
            throw MatrixException.notFound("Media not found");
        }
        long length = channel.size();
        var body = new MatrixResponse.StreamingBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                try (channel; InputStream in = Channels.newInputStream(channel)) {
                    in.transferTo(out);
                }
            }
        };
        return MatrixResponse.stream(200, download.contentType(), body)
                .withHeader("Content-Disposition", disposition)
                .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .withHeader("Cross-Origin-Resource-Policy", "cross-origin")
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Cache-Control", "private, max-age=86400");
    }
}

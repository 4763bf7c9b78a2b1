package dev.myelin.server;

import dev.myelin.server.client.MediaEndpoints;
import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.federation.media.FederationMediaEndpoints;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.media.MediaFiles;
import dev.myelin.server.media.MediaRetention;
import dev.myelin.server.media.MediaService;
import dev.myelin.server.media.RemoteMediaSource;
import dev.myelin.server.media.UrlPreviewService;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlMediaStore;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * The media repository wired together: store, files, service (with the cache of other servers' media), URL previews,
 * the retention job and the endpoints (client and federation).
 */
public record Media(MediaService service, Optional<UrlPreviewService> previews, MediaRetention retention)
        implements AutoCloseable {

    /** {@code remote}: where other servers' media is fetched from (over federation). */
    public static Media create(MyelinConfig config, Database database, Clock clock, RemoteMediaSource remote)
            throws IOException {
        var store = new SqlMediaStore(database);
        var service = new MediaService(config.serverName(), store, new MediaFiles(config.media().storePath()),
                config.media(), clock, remote);
        Optional<UrlPreviewService> previews = config.media().urlPreview().enabled()
                ? Optional.of(new UrlPreviewService(service, config.media().urlPreview(), clock))
                : Optional.empty();
        var retention = new MediaRetention(service, config.media(), clock).start();
        return new Media(service, previews, retention);
    }

    public void routes(Router router, Authenticator authenticator) {
        new MediaEndpoints(authenticator, service, previews).register(router);
    }

    /** Our media for other servers. */
    public void federationRoutes(FederationRoutes routes) {
        new FederationMediaEndpoints(service).register(routes);
    }

    @Override
    public void close() {
        retention.close();
        service.close();
    }
}

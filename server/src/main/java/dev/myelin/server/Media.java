package dev.myelin.server;

import dev.myelin.server.client.MediaEndpoints;
import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.media.MediaFiles;
import dev.myelin.server.media.MediaRetention;
import dev.myelin.server.media.MediaService;
import dev.myelin.server.media.UrlPreviewService;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlMediaStore;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/** The media repository wired together: store, files, service, URL previews, the retention job and the endpoints. */
public record Media(MediaService service, Optional<UrlPreviewService> previews, MediaRetention retention)
        implements AutoCloseable {

    public static Media create(MyelinConfig config, Database database, Clock clock) throws IOException {
        var store = new SqlMediaStore(database);
        var service = new MediaService(config.serverName(), store, new MediaFiles(config.media().storePath()),
                config.media(), clock);
        Optional<UrlPreviewService> previews = config.media().urlPreview().enabled()
                ? Optional.of(new UrlPreviewService(service, config.media().urlPreview(), clock))
                : Optional.empty();
        var retention = new MediaRetention(service, config.media(), clock).start();
        return new Media(service, previews, retention);
    }

    public void routes(Router router, Authenticator authenticator) {
        new MediaEndpoints(authenticator, service, previews).register(router);
    }

    @Override
    public void close() {
        retention.close();
        service.close();
    }
}

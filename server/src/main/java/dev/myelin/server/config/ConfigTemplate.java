package dev.myelin.server.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Writes the commented config file a first start creates. */
public final class ConfigTemplate {
    private ConfigTemplate() {
    }

    /** The default configuration text for a server name and port; paths are relative to the file. */
    public static String render(String serverName, int port) {
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        return """
                # Myelin configuration. Relative paths are relative to this file's folder.
                # Any key can be overridden at start with --set key.path=value.

                # The name of this homeserver: the part after the colon in @user:%1$s.
                # It cannot change once users and rooms exist.
                server_name: "%1$s"

                # The URL clients use to reach this server (served in /.well-known/matrix/client).
                # Defaults to http://<server_name>:<first listener port>/.
                # public_baseurl: "https://matrix.example.org/"

                # The Ed25519 key this server signs events and federation requests with.
                # Generated on first start; keep it secret and back it up.
                signing_key_path: signing.key

                listeners:
                  - port: %2$d
                    bind_address: "0.0.0.0"
                    # client, federation, health (/health) and metrics (/metrics, Prometheus).
                    # In production, move metrics to a second listener bound to 127.0.0.1.
                    resources: [client, federation, health, metrics]
                    # Behind a reverse proxy, take the client address from X-Forwarded-For.
                    x_forwarded: false
                    # tls:
                    #   certificate: fullchain.pem
                    #   private_key: privkey.pem

                database:
                  # sqlite (an embedded file, the default) or postgres.
                  kind: sqlite
                  path: myelin.db
                  # For PostgreSQL:
                  # kind: postgres
                  # url: "jdbc:postgresql://localhost:5432/myelin"
                  # user: myelin
                  # password: secret
                  # max_pool_size: 10

                registration:
                  # closed (only the operator creates accounts), open, or token (a registration token is required).
                  mode: closed
                  # Whether guests may register (POST /register?kind=guest).
                  allow_guests: false
                  # The shortest password accepted at registration and password change.
                  password_min_length: 8

                # Lets tools create accounts through /_synapse/admin/v1/register (Synapse-compatible).
                registration_shared_secret: "%3$s"

                media:
                  store_path: media
                  max_upload_size: 50M

                limits:
                  # The largest JSON request body accepted (media uploads have their own limit).
                  max_request_body_size: 1M

                rate_limits:
                  # Requests per second per client IP address across the whole API; 0 turns it off.
                  requests_per_ip:
                    per_second: 0
                    burst: 0
                  # Login attempts per client IP and per account.
                  login:
                    per_second: 0.17
                    burst: 3
                  # Registrations per client IP.
                  registration:
                    per_second: 0.17
                    burst: 3
                  # Password changes per user.
                  password_change:
                    per_second: 0.1
                    burst: 3

                sessions:
                  # Seconds an access token lives for clients that do not use refresh tokens; 0 = until logout.
                  access_token_lifetime: 0
                  # Seconds an access token lives for clients that asked for a refresh token.
                  refreshable_access_token_lifetime: 300
                  # Seconds a single-use m.login.token (from /login/get_token) stays valid.
                  login_token_lifetime: 120

                well_known:
                  # Serve /.well-known/matrix/server, which tells other servers where to reach this one.
                  serve_server: true
                  # server: "matrix.example.org:443"

                # trace, debug, info, warn or error.
                log_level: info
                """.formatted(serverName, port, HexFormat.of().formatHex(secret));
    }

    /** Writes the template to {@code file} unless it exists; returns whether it wrote one. */
    public static boolean writeIfMissing(Path file, String serverName, int port) throws IOException {
        if (Files.exists(file)) {
            return false;
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.writeString(file, render(serverName, port));
        return true;
    }
}

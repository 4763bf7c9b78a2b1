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
                  # max_pool_size: 10   # connections at most: half for writes, half for reads

                registration:
                  # closed (only the operator creates accounts), open, or token (a registration token is required).
                  mode: closed
                  # Whether guests may register (POST /register?kind=guest).
                  allow_guests: false
                  # The shortest password accepted at registration and password change.
                  password_min_length: 8

                # Lets tools create accounts through /_synapse/admin/v1/register (Synapse-compatible).
                registration_shared_secret: "%3$s"

                # Application services (bridges, bots): their registration files (the standard YAML with id, url,
                # as_token, hs_token, sender_localpart, namespaces), relative to this file.
                # app_service_config_files: [bridges/irc.yaml]

                media:
                  # Where uploaded files and thumbnails are kept (content-addressed: identical files are stored once).
                  store_path: media
                  # The largest upload; larger ones are refused with 413 M_TOO_LARGE.
                  max_upload_size: 50M
                  # The most bytes one user may have uploaded in total (403 M_FORBIDDEN beyond it); 0 for no quota.
                  upload_quota_per_user: 0
                  # Asynchronous uploads (POST /_matrix/media/v1/create): how many created-but-unfilled ids one user
                  # may hold, and how long an id waits for its content before it is forgotten.
                  max_pending_uploads: 5
                  unused_id_lifetime: 24h
                  # Images whose header claims more pixels than this (32M = 33,554,432) are never decoded (no thumbnails).
                  max_image_pixels: 32M
                  # Thumbnails made when an image is uploaded (method crop gives exactly this size, scale fits inside).
                  # thumbnail_sizes:
                  #   - {width: 32, height: 32, method: crop}
                  #   - {width: 96, height: 96, method: crop}
                  #   - {width: 320, height: 240, method: scale}
                  #   - {width: 640, height: 480, method: scale}
                  #   - {width: 800, height: 600, method: scale}
                  # Make (and keep) thumbnails of other sizes when a client first asks for them.
                  dynamic_thumbnails: true
                  # Delete media nobody downloaded for this long (e.g. 90d); 0 keeps it forever.
                  local_media_lifetime: 0
                  remote_media_lifetime: 0
                  # Media of other servers: the largest file fetched, and the most the cache of it may take
                  # (0: no limit; past it the least recently downloaded is deleted).
                  max_remote_download_size: 50M
                  remote_cache_size: 10G
                  # How often expired media and unused upload ids are deleted.
                  cleanup_interval: 1h
                  # The deprecated unauthenticated /_matrix/media/v3/download and /thumbnail endpoints only serve
                  # media created before this instant (Matrix 1.11 "freeze"); by default they serve none.
                  # unauthenticated_frozen_since: "2024-09-01T00:00:00Z"
                  url_preview:
                    # Off by default: when on, the server fetches URLs that users send it.
                    enabled: false
                    # Private, loopback, link-local, multicast, CGNAT and unspecified addresses are always refused
                    # unless listed here, e.g. ["10.1.2.0/24"]; further ranges to refuse go in the denylist.
                    ip_range_allowlist: []
                    ip_range_denylist: []
                    # The most bytes read from one page or image, the longest one fetch may take (connect,
                    # redirects and body), how many redirects are followed (each checked again), and how long a
                    # preview is kept.
                    max_size: 10M
                    timeout: 10s
                    max_redirects: 5
                    cache_duration: 1h
                    user_agent: "Myelin URL preview (Matrix homeserver)"

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
                  # /.well-known/matrix/support (not served while all three are unset): how users reach the admins,
                  # each contact a Matrix user id or an email address.
                  # support_page: "https://example.org/support"
                  # admin_contacts: ["@admin:example.org", "admin@example.org"]
                  # security_contacts: ["security@example.org"]

                presence:
                  # Track who is online and share it with those in the same rooms (costs a write per change).
                  enabled: true

                user_directory:
                  # Whether user directory search finds every local user, not only those who share a room with
                  # the searcher or are in a public room.
                  search_all_users: false

                voip:
                  # TURN servers for calls, e.g. ["turn:turn.example.org:3478?transport=udp"]; none by default.
                  turn_uris: []
                  # coturn's static-auth-secret (use-auth-secret): clients get credentials derived from it.
                  # turn_shared_secret: ""
                  # How long the credentials stay valid.
                  turn_user_lifetime: 1d

                federation:
                  # Check other servers' TLS certificates. Turn off only for tests.
                  tls_verify: true
                  # Server names whose certificates are not checked even so, e.g. ["test.internal:8448"].
                  insecure_skip_verify_for: []
                  # Loopback, private and link-local addresses are refused unless this is true (tests, intranets).
                  allow_private_addresses: false
                  # A PEM file of CA certificates trusted besides the system's.
                  # trusted_ca: ca.pem
                  # Notaries asked for a server's keys when it cannot be reached itself. Without verify_keys the
                  # notary's own keys are fetched from it.
                  trusted_key_servers: []
                  #  - server_name: "matrix.org"
                  #    verify_keys:
                  #      "ed25519:auto": "Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw"

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

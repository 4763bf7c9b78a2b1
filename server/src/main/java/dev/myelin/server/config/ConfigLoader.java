package dev.myelin.server.config;

import dev.myelin.server.http.RateLimit;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads the YAML config file, applies command-line overrides, and validates everything. */
public final class ConfigLoader {
    private static final Pattern SERVER_NAME = Pattern.compile(
            "^(\\[[0-9A-Fa-f:.]{2,45}]|[A-Za-z0-9.-]{1,255})(:[0-9]{1,5})?$");

    private static final Pattern CIDR = Pattern.compile("^([0-9.]+|[0-9A-Fa-f:.]+)(/[0-9]{1,3})?$");

    private ConfigLoader() {
    }

    /** Loads {@code file}, with each override {@code key.path=value} applied on top. */
    public static MyelinConfig load(Path file, List<String> overrides) {
        Map<String, Object> tree = readYaml(file);
        for (String override : overrides) {
            applyOverride(tree, override);
        }
        Path baseDir = file.toAbsolutePath().getParent();
        return build(new ConfigReader("", tree, baseDir));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readYaml(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
        }
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new ConfigException("Config file " + file + " is not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            return new LinkedHashMap<>();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException("Config file " + file + " must be a mapping of keys to values");
        }
        return new LinkedHashMap<>((Map<String, Object>) map);
    }

    /**
     * Sets one value given as {@code a.b.c=value}; numeric path parts index into lists. The value is
     * read as a YAML scalar, so {@code port=8448} is a number and {@code enabled=true} a boolean.
     */
    @SuppressWarnings("unchecked")
    static void applyOverride(Map<String, Object> tree, String override) {
        int equals = override.indexOf('=');
        if (equals <= 0) {
            throw new ConfigException("Override '" + override + "' must look like key.path=value");
        }
        String[] parts = override.substring(0, equals).split("\\.");
        Object value = new Yaml(new SafeConstructor(new LoaderOptions())).load(override.substring(equals + 1));
        Object container = tree;
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            String part = parts[i];
            if (container instanceof Map<?, ?> map) {
                var mutable = (Map<String, Object>) map;
                if (last) {
                    mutable.put(part, value);
                } else {
                    Object next = mutable.get(part);
                    if (next == null) {
                        next = parts[i + 1].matches("\\d+") ? new ArrayList<>() : new LinkedHashMap<>();
                    } else {
                        next = mutableCopy(next);
                    }
                    mutable.put(part, next);
                    container = next;
                }
            } else if (container instanceof List<?> list && part.matches("\\d+")) {
                var mutable = (List<Object>) list;
                int index = Integer.parseInt(part);
                if (index > mutable.size()) {
                    throw new ConfigException("Override '" + override + "': list index " + index + " is past the end");
                }
                if (index == mutable.size()) {
                    mutable.add(last ? value : new LinkedHashMap<>());
                }
                if (last) {
                    mutable.set(index, value);
                } else {
                    Object next = mutableCopy(mutable.get(index));
                    mutable.set(index, next);
                    container = next;
                }
            } else {
                throw new ConfigException("Override '" + override + "': '" + part + "' does not name a key here");
            }
        }
    }

    private static Object mutableCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            return new LinkedHashMap<>(map);
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        return value;
    }

    private static MyelinConfig build(ConfigReader root) {
        String serverName = root.requiredString("server_name");
        if (!SERVER_NAME.matcher(serverName).matches()) {
            throw root.invalid("server_name", "'" + serverName + "' is not a valid server name (a DNS name or IP literal, optionally with :port)");
        }
        List<MyelinConfig.Listener> listeners = root.optionalList("listeners", ConfigLoader::listener)
                .orElse(List.of(new MyelinConfig.Listener("0.0.0.0", 8008, Optional.empty(),
                        EnumSet.of(MyelinConfig.Resource.CLIENT, MyelinConfig.Resource.FEDERATION,
                                MyelinConfig.Resource.HEALTH, MyelinConfig.Resource.METRICS), false)));
        if (listeners.isEmpty()) {
            throw root.invalid("listeners", "at least one listener is needed");
        }
        MyelinConfig.Listener first = listeners.getFirst();
        String host = serverName.startsWith("[") ? serverName.substring(0, serverName.indexOf(']') + 1)
                : serverName.split(":")[0];
        String defaultBaseUrl = (first.tls().isPresent() ? "https://" : "http://") + host + ":" + first.port() + "/";
        URI publicBaseUrl = uri(root, "public_baseurl", root.string("public_baseurl", defaultBaseUrl));
        Path signingKey = root.path("signing_key_path", "signing.key");
        MyelinConfig.Database database = database(root.section("database"));
        var registrationSection = root.section("registration");
        var registration = new MyelinConfig.Registration(registrationSection.enumValue(
                "mode", MyelinConfig.RegistrationMode.class, MyelinConfig.RegistrationMode.CLOSED),
                registrationSection.bool("allow_guests", false),
                registrationSection.integer("password_min_length", 8, 1, 1024));
        registrationSection.finish();
        Optional<String> sharedSecret = root.optionalString("registration_shared_secret");
        var mediaSection = root.section("media");
        var media = media(mediaSection);
        mediaSection.finish();
        var limitsSection = root.section("limits");
        var limits = new MyelinConfig.Limits(limitsSection.size("max_request_body_size", 1L << 20));
        limitsSection.finish();
        var rateSection = root.section("rate_limits");
        var rateLimits = new MyelinConfig.RateLimits(rateLimit(rateSection, "requests_per_ip", 0, 0),
                rateLimit(rateSection, "login", 0.17, 3),
                rateLimit(rateSection, "registration", 0.17, 3),
                rateLimit(rateSection, "password_change", 0.1, 3));
        rateSection.finish();
        var sessionsSection = root.section("sessions");
        var sessions = new MyelinConfig.Sessions(
                sessionsSection.integer("access_token_lifetime", 0, 0, Integer.MAX_VALUE),
                sessionsSection.integer("refreshable_access_token_lifetime", 300, 1, Integer.MAX_VALUE),
                sessionsSection.integer("login_token_lifetime", 120, 10, 3600));
        sessionsSection.finish();
        var wellKnownSection = root.section("well_known");
        var wellKnown = new MyelinConfig.WellKnown(wellKnownSection.bool("serve_server", true)
                ? Optional.of(wellKnownSection.string("server", host + ":" + federationPort(listeners)))
                : Optional.empty(),
                wellKnownSection.optionalString("support_page").filter(page -> !page.isBlank()),
                contacts(wellKnownSection, "admin_contacts"), contacts(wellKnownSection, "security_contacts"));
        wellKnownSection.finish();
        var federationSection = root.section("federation");
        var federation = federation(federationSection);
        federationSection.finish();
        var presenceSection = root.section("presence");
        var presence = new MyelinConfig.Presence(presenceSection.bool("enabled", true));
        presenceSection.finish();
        String logLevel = root.string("log_level", "info").toLowerCase();
        if (!Set.of("trace", "debug", "info", "warn", "error").contains(logLevel)) {
            throw root.invalid("log_level", "expected one of trace, debug, info, warn, error, got '" + logLevel + "'");
        }
        var directorySection = root.section("user_directory");
        var userDirectory = new MyelinConfig.UserDirectory(directorySection.bool("search_all_users", false));
        directorySection.finish();
        var voipSection = root.section("voip");
        var voip = new MyelinConfig.Voip(voipSection.stringList("turn_uris", List.of()),
                voipSection.optionalString("turn_shared_secret").filter(secret -> !secret.isBlank()),
                voipSection.duration("turn_user_lifetime", 86_400_000L));
        voipSection.finish();
        root.finish();
        return new MyelinConfig(serverName, publicBaseUrl, signingKey, listeners, database, registration,
                sharedSecret, media, limits, rateLimits, sessions, wellKnown, presence, logLevel, userDirectory,
                voip, federation);
    }

    private static MyelinConfig.Media media(ConfigReader section) {
        Path storePath = section.path("store_path", "media");
        long maxUpload = section.size("max_upload_size", 50L << 20);
        long quota = section.sizeOrZero("upload_quota_per_user", 0);
        int maxPending = section.integer("max_pending_uploads", 5, 1, 10_000);
        long unusedLifetime = section.duration("unused_id_lifetime", 24 * 3_600_000L);
        if (unusedLifetime <= 0) {
            throw section.invalid("unused_id_lifetime", "must be longer than zero");
        }
        long maxPixels = section.size("max_image_pixels", 32L << 20);
        List<MyelinConfig.ThumbnailSize> sizes = section.optionalList("thumbnail_sizes", ConfigLoader::thumbnailSize)
                .orElse(List.of(new MyelinConfig.ThumbnailSize(32, 32, true),
                        new MyelinConfig.ThumbnailSize(96, 96, true),
                        new MyelinConfig.ThumbnailSize(320, 240, false),
                        new MyelinConfig.ThumbnailSize(640, 480, false),
                        new MyelinConfig.ThumbnailSize(800, 600, false)));
        boolean dynamic = section.bool("dynamic_thumbnails", true);
        long localLifetime = section.duration("local_media_lifetime", 0);
        long remoteLifetime = section.duration("remote_media_lifetime", 0);
        long cleanupInterval = section.duration("cleanup_interval", 3_600_000L);
        if (cleanupInterval <= 0) {
            throw section.invalid("cleanup_interval", "must be longer than zero");
        }
        long frozenSince = section.instant("unauthenticated_frozen_since", 0L);
        var previewSection = section.section("url_preview");
        var preview = new MyelinConfig.UrlPreview(previewSection.bool("enabled", false),
                cidrs(previewSection, "ip_range_allowlist"), cidrs(previewSection, "ip_range_denylist"),
                previewSection.size("max_size", 10L << 20), previewSection.duration("timeout", 10_000),
                previewSection.integer("max_redirects", 5, 0, 20), previewSection.duration("cache_duration", 3_600_000L),
                previewSection.string("user_agent", "Myelin URL preview (Matrix homeserver)"));
        previewSection.finish();
        return new MyelinConfig.Media(storePath, maxUpload, quota, maxPending, unusedLifetime, maxPixels, sizes,
                dynamic, localLifetime, remoteLifetime, cleanupInterval, frozenSince, preview);
    }

    private static MyelinConfig.Federation federation(ConfigReader section) {
        List<String> skip = section.stringList("insecure_skip_verify_for", List.of());
        for (String name : skip) {
            if (!SERVER_NAME.matcher(name).matches()) {
                throw section.invalid("insecure_skip_verify_for", "'" + name + "' is not a server name");
            }
        }
        return new MyelinConfig.Federation(section.bool("tls_verify", true), skip,
                section.bool("allow_private_addresses", false), section.optionalPath("trusted_ca"),
                section.optionalList("trusted_key_servers", ConfigLoader::trustedKeyServer).orElse(List.of()));
    }

    private static MyelinConfig.TrustedKeyServer trustedKeyServer(ConfigReader reader) {
        String name = reader.requiredString("server_name");
        if (!SERVER_NAME.matcher(name).matches()) {
            throw reader.invalid("server_name", "'" + name + "' is not a server name");
        }
        var keys = new LinkedHashMap<String, String>();
        reader.optionalSection("verify_keys").ifPresent(section -> {
            for (String keyId : section.keys()) {
                String key = section.requiredString(keyId);
                try {
                    dev.myelin.spec.crypto.VerifyKey.fromBase64(keyId, key);
                } catch (IllegalArgumentException e) {
                    throw section.invalid(keyId, "not an ed25519 key id with an unpadded base64 public key");
                }
                keys.put(keyId, key);
            }
            section.finish();
        });
        return new MyelinConfig.TrustedKeyServer(name, Map.copyOf(keys));
    }

    private static MyelinConfig.ThumbnailSize thumbnailSize(ConfigReader reader) {
        int width = reader.integer("width", 0, 1, 4096);
        int height = reader.integer("height", 0, 1, 4096);
        if (width == 0 || height == 0) {
            throw reader.invalid("width", "width and height (1 to 4096) are required");
        }
        String method = reader.string("method", "scale");
        if (!method.equals("crop") && !method.equals("scale")) {
            throw reader.invalid("method", "expected crop or scale, got '" + method + "'");
        }
        return new MyelinConfig.ThumbnailSize(width, height, method.equals("crop"));
    }

    private static List<String> cidrs(ConfigReader reader, String name) {
        List<String> ranges = reader.stringList(name, List.of());
        for (String range : ranges) {
            if (!validCidr(range)) {
                throw reader.invalid(name, "'" + range + "' is not a CIDR range such as 10.0.0.0/8 or fd00::/8");
            }
        }
        return ranges;
    }

    private static boolean validCidr(String range) {
        if (!CIDR.matcher(range).matches()) {
            return false;
        }
        int slash = range.indexOf('/');
        try {
            int bits = java.net.InetAddress.ofLiteral(slash < 0 ? range : range.substring(0, slash)).getAddress().length * 8;
            int prefix = slash < 0 ? bits : Integer.parseInt(range.substring(slash + 1));
            return prefix <= (range.contains(":") ? 128 : bits);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Support contacts: each a Matrix user id ({@code @}-prefixed) or an email address. */
    private static List<String> contacts(ConfigReader section, String name) {
        List<String> contacts = section.stringList(name, List.of());
        for (String contact : contacts) {
            boolean valid = contact.startsWith("@") ? contact.indexOf(':') > 1 : contact.indexOf('@') > 0;
            if (!valid) {
                throw section.invalid(name, "'" + contact + "' is neither a Matrix user id nor an email address");
            }
        }
        return contacts;
    }

    private static int federationPort(List<MyelinConfig.Listener> listeners) {
        return listeners.stream()
                .filter(l -> l.resources().contains(MyelinConfig.Resource.FEDERATION))
                .mapToInt(MyelinConfig.Listener::port)
                .findFirst()
                .orElse(8448);
    }

    private static MyelinConfig.Listener listener(ConfigReader reader) {
        String bind = reader.string("bind_address", "0.0.0.0");
        int port = reader.integer("port", 8008, 0, 65535);
        Optional<MyelinConfig.Tls> tls = reader.optionalSection("tls").map(section -> {
            var value = new MyelinConfig.Tls(
                    section.optionalPath("certificate").orElseThrow(() -> section.invalid("certificate", "a PEM certificate file is required")),
                    section.optionalPath("private_key").orElseThrow(() -> section.invalid("private_key", "a PEM private key file is required")));
            section.finish();
            return value;
        });
        var resources = EnumSet.noneOf(MyelinConfig.Resource.class);
        for (String name : reader.stringList("resources", List.of("client", "federation", "health", "metrics"))) {
            try {
                resources.add(MyelinConfig.Resource.valueOf(name.toUpperCase()));
            } catch (IllegalArgumentException e) {
                throw reader.invalid("resources", "expected client, federation, health or metrics, got '" + name + "'");
            }
        }
        return new MyelinConfig.Listener(bind, port, tls, resources, reader.bool("x_forwarded", false));
    }

    private static MyelinConfig.Database database(ConfigReader reader) {
        var kind = reader.enumValue("kind", MyelinConfig.DatabaseKind.class, MyelinConfig.DatabaseKind.SQLITE);
        Path sqlitePath = reader.path("path", "myelin.db");
        String url = reader.optionalString("url").orElse(null);
        String user = reader.optionalString("user").orElse(null);
        String password = reader.optionalString("password").orElse(null);
        int poolSize = reader.integer("max_pool_size", 10, 1, 1000);
        if (kind == MyelinConfig.DatabaseKind.POSTGRES && (url == null || !url.startsWith("jdbc:postgresql:"))) {
            throw reader.invalid("url", "a PostgreSQL JDBC URL such as jdbc:postgresql://localhost:5432/myelin is required when kind is postgres");
        }
        reader.finish();
        return new MyelinConfig.Database(kind, sqlitePath, url, user, password, poolSize);
    }

    private static RateLimit rateLimit(ConfigReader parent, String name, double perSecond, int burst) {
        var section = parent.section(name);
        var limit = new RateLimit(section.decimal("per_second", perSecond),
                section.integer("burst", burst, 0, 1_000_000));
        section.finish();
        return limit;
    }

    private static URI uri(ConfigReader reader, String name, String value) {
        try {
            URI uri = new URI(value.endsWith("/") ? value : value + "/");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw reader.invalid(name, "expected an http or https URL, got '" + value + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw reader.invalid(name, "expected an http or https URL, got '" + value + "'");
        }
    }
}

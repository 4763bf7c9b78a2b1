package dev.myelin.server.config;

import dev.myelin.server.appservice.AppServiceRegistration;
import dev.myelin.server.appservice.Namespace;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the application service registration files named by {@code app_service_config_files} (spec:
 * application-service-api "Registration"). Keys the spec does not define are ignored, since bridges write their own
 * extensions into these files; ids, as_tokens and hs_tokens must be unique across the files.
 */
final class AppServiceRegistrationFiles {
    private static final Pattern LOCALPART = Pattern.compile("[a-z0-9._=\\-/+]+");

    private AppServiceRegistrationFiles() {
    }

    static List<AppServiceRegistration> load(List<Path> files, String serverName) {
        var registrations = new ArrayList<AppServiceRegistration>();
        Set<String> ids = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        for (Path file : files) {
            var registration = read(new ConfigReader(file.toString(), ConfigLoader.readYaml(file),
                    file.toAbsolutePath().getParent()), serverName);
            if (!ids.add(registration.id())) {
                throw new ConfigException("Application service " + file + ": id '" + registration.id()
                        + "' is used by another registration");
            }
            if (!tokens.add(registration.asToken()) || !tokens.add(registration.hsToken())) {
                throw new ConfigException("Application service " + file
                        + ": as_token and hs_token must differ from each other and from other registrations' tokens");
            }
            registrations.add(registration);
        }
        return List.copyOf(registrations);
    }

    private static AppServiceRegistration read(ConfigReader reader, String serverName) {
        String id = reader.requiredString("id");
        Optional<URI> url = reader.optionalString("url").filter(u -> !u.isBlank()).map(value -> {
            try {
                URI uri = URI.create(value);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return uri;
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            throw reader.invalid("url", "expected an http or https URL or null, got '" + value + "'");
        });
        String asToken = nonBlank(reader, "as_token");
        String hsToken = nonBlank(reader, "hs_token");
        String localpart = reader.requiredString("sender_localpart");
        if (!LOCALPART.matcher(localpart).matches()) {
            throw reader.invalid("sender_localpart", "'" + localpart + "' is not a valid user localpart");
        }
        var namespaces = reader.section("namespaces");
        var users = namespaces(namespaces, "users");
        var aliases = namespaces(namespaces, "aliases");
        var rooms = namespaces(namespaces, "rooms");
        boolean ephemeral = reader.bool("receive_ephemeral", false)
                || reader.bool("de.sorunome.msc2409.push_ephemeral", false)
                || reader.bool("push_ephemeral", false);
        return new AppServiceRegistration(id, url, asToken, hsToken, "@" + localpart + ":" + serverName,
                users, aliases, rooms, reader.bool("rate_limited", true), reader.stringList("protocols", List.of()),
                ephemeral);
    }

    private static String nonBlank(ConfigReader reader, String name) {
        String value = reader.requiredString(name);
        if (value.isBlank()) {
            throw reader.invalid(name, "must not be empty");
        }
        return value;
    }

    private static List<Namespace> namespaces(ConfigReader namespaces, String name) {
        return namespaces.optionalList(name, entry -> {
            String regex = entry.requiredString("regex");
            try {
                return new Namespace(Pattern.compile(regex), entry.bool("exclusive", false));
            } catch (PatternSyntaxException e) {
                throw entry.invalid("regex", "'" + regex + "' is not a valid regular expression: "
                        + e.getDescription());
            }
        }).orElse(List.of());
    }
}

package dev.myelin.server.config;

import dev.myelin.server.appservice.AppServiceRegistration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Application service registration files named by app_service_config_files: parsing and start-up validation. */
class AppServiceConfigTest {
    @TempDir
    Path dir;

    private Path registration(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    private static String bridge(String id, String asToken, String hsToken, String usersRegex) {
        return """
                id: %s
                url: "http://127.0.0.1:9000/bridge"
                as_token: %s
                hs_token: %s
                sender_localpart: %sbot
                rate_limited: false
                protocols: [irc]
                de.sorunome.msc2409.push_ephemeral: true
                namespaces:
                  users:
                    - exclusive: true
                      regex: "%s"
                  aliases: []
                """.formatted(id, asToken, hsToken, id, usersRegex);
    }

    private MyelinConfig load(Path... files) throws IOException {
        Path config = dir.resolve("myelin.yaml");
        Files.writeString(config, "server_name: example.org\n");
        var overrides = new java.util.ArrayList<String>();
        for (int i = 0; i < files.length; i++) {
            overrides.add("app_service_config_files." + i + "=" + files[i].getFileName());
        }
        return ConfigLoader.load(config, overrides);
    }

    @Test
    void registrationsAreReadRelativeToTheConfig() throws IOException {
        Path irc = registration("irc.yaml", bridge("irc", "a1", "h1", "@_irc_.*:example\\\\.org"));
        MyelinConfig config = load(irc);
        AppServiceRegistration loaded = config.appServices().getFirst();
        assertThat(loaded.id()).isEqualTo("irc");
        assertThat(loaded.url()).hasValueSatisfying(url -> assertThat(url.toString()).isEqualTo("http://127.0.0.1:9000/bridge"));
        assertThat(loaded.senderUserId()).isEqualTo("@ircbot:example.org");
        assertThat(loaded.rateLimited()).isFalse();
        assertThat(loaded.protocols()).containsExactly("irc");
        assertThat(loaded.receiveEphemeral()).isTrue();
        assertThat(loaded.coversUser("@_irc_alice:example.org")).isTrue();
        assertThat(loaded.coversUser("@ircbot:example.org")).isTrue();
        assertThat(loaded.coversUser("@alice:example.org")).isFalse();
        assertThat(load().appServices()).isEmpty();
    }

    @Test
    void duplicateIdsAndTokensAreRefused() throws IOException {
        Path a = registration("a.yaml", bridge("same", "a1", "h1", "@_a_.*"));
        Path b = registration("b.yaml", bridge("same", "a2", "h2", "@_b_.*"));
        assertThatThrownBy(() -> load(a, b)).isInstanceOf(ConfigException.class).hasMessageContaining("id 'same'");
        Path c = registration("c.yaml", bridge("other", "a1", "h3", "@_c_.*"));
        assertThatThrownBy(() -> load(a, c)).isInstanceOf(ConfigException.class).hasMessageContaining("as_token");
        Path d = registration("d.yaml", bridge("d", "tok", "tok", "@_d_.*"));
        assertThatThrownBy(() -> load(d)).isInstanceOf(ConfigException.class).hasMessageContaining("hs_token");
    }

    @Test
    void badRegistrationsAreClearConfigErrors() throws IOException {
        Path badRegex = registration("regex.yaml", bridge("r", "a1", "h1", "@_irc_(.*"));
        assertThatThrownBy(() -> load(badRegex)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("regex").hasMessageContaining("not a valid regular expression");
        Path missing = registration("missing.yaml", "id: x\nurl: null\nhs_token: h\nsender_localpart: x\nnamespaces: {}\n");
        assertThatThrownBy(() -> load(missing)).isInstanceOf(ConfigException.class).hasMessageContaining("as_token");
        Path badUrl = registration("url.yaml", bridge("u", "a1", "h1", "@_u_.*").replace("http://127.0.0.1:9000/bridge", "ftp://x"));
        assertThatThrownBy(() -> load(badUrl)).isInstanceOf(ConfigException.class).hasMessageContaining("url");
        Path badLocalpart = registration("lp.yaml", bridge("l", "a1", "h1", "@_l_.*").replace("sender_localpart: lbot", "sender_localpart: \"Bad Bot\""));
        assertThatThrownBy(() -> load(badLocalpart)).isInstanceOf(ConfigException.class).hasMessageContaining("sender_localpart");
        assertThatThrownBy(() -> load(dir.resolve("absent.yaml"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("absent.yaml");
    }

    @Test
    void aNullUrlMeansNoTraffic() throws IOException {
        Path quiet = registration("quiet.yaml", "id: quiet\nurl: null\nas_token: a\nhs_token: h\nsender_localpart: quiet\nnamespaces: {}\n");
        assertThat(load(quiet).appServices().getFirst().url()).isEmpty();
        assertThat(List.of(load(quiet).appServices().getFirst().users())).containsExactly(List.of());
    }
}

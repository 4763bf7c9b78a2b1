package dev.myelin.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("myelin.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void theGeneratedTemplateLoadsWithDefaults() throws IOException {
        Path file = dir.resolve("myelin.yaml");
        assertThat(ConfigTemplate.writeIfMissing(file, "example.org", 8123)).isTrue();
        MyelinConfig config = ConfigLoader.load(file, List.of());
        assertThat(config.serverName()).isEqualTo("example.org");
        assertThat(config.listeners().getFirst().port()).isEqualTo(8123);
        assertThat(config.database().kind()).isEqualTo(MyelinConfig.DatabaseKind.SQLITE);
        assertThat(config.database().sqlitePath()).isEqualTo(dir.resolve("myelin.db"));
        assertThat(config.registration().mode()).isEqualTo(MyelinConfig.RegistrationMode.CLOSED);
        assertThat(config.publicBaseUrl().toString()).isEqualTo("http://example.org:8123/");
        assertThat(config.wellKnown().server()).contains("example.org:8123");
        assertThat(config.registrationSharedSecret()).isPresent();
        assertThat(config.limits().maxRequestBodySize()).isEqualTo(1 << 20);
        assertThat(config.media().maxUploadSize()).isEqualTo(50L << 20);
    }

    @Test
    void accountKeysHaveSafeDefaultsInTheTemplateAndWithoutIt() throws IOException {
        Path file = dir.resolve("myelin.yaml");
        ConfigTemplate.writeIfMissing(file, "example.org", 8123);
        for (MyelinConfig config : List.of(ConfigLoader.load(file, List.of()),
                ConfigLoader.load(write("server_name: a.org\n"), List.of()))) {
            assertThat(config.registration().allowGuests()).isFalse();
            assertThat(config.registration().passwordMinLength()).isEqualTo(8);
            assertThat(config.rateLimits().login().unlimited()).isFalse();
            assertThat(config.rateLimits().registration().unlimited()).isFalse();
            assertThat(config.rateLimits().passwordChange().unlimited()).isFalse();
            assertThat(config.sessions().accessTokenLifetime()).isZero();
            assertThat(config.sessions().refreshableAccessTokenLifetime()).isEqualTo(300);
            assertThat(config.sessions().loginTokenLifetime()).isEqualTo(120);
        }
        MyelinConfig tuned = ConfigLoader.load(file, List.of("rate_limits.login.per_second=2", "rate_limits.login.burst=9",
                "sessions.refreshable_access_token_lifetime=60", "registration.allow_guests=true"));
        assertThat(tuned.rateLimits().login()).isEqualTo(new dev.myelin.server.http.RateLimit(2, 9));
        assertThat(tuned.sessions().refreshableAccessTokenLifetime()).isEqualTo(60);
        assertThat(tuned.registration().allowGuests()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of("sessions.login_token_lifetime=1")))
                .hasMessageContaining("sessions.login_token_lifetime");
    }

    @Test
    void mediaKeysHaveDefaultsInTheTemplateAndWithoutIt() throws IOException {
        Path file = dir.resolve("myelin.yaml");
        ConfigTemplate.writeIfMissing(file, "example.org", 8123);
        for (MyelinConfig config : List.of(ConfigLoader.load(file, List.of()),
                ConfigLoader.load(write("server_name: a.org\n"), List.of()))) {
            var media = config.media();
            assertThat(media.uploadQuotaPerUser()).isZero();
            assertThat(media.maxPendingUploads()).isEqualTo(5);
            assertThat(media.unusedIdLifetimeMs()).isEqualTo(24 * 3_600_000L);
            assertThat(media.maxImagePixels()).isEqualTo(32L << 20);
            assertThat(media.thumbnailSizes()).hasSize(5).first()
                    .isEqualTo(new MyelinConfig.ThumbnailSize(32, 32, true));
            assertThat(media.dynamicThumbnails()).isTrue();
            assertThat(media.localMediaLifetimeMs()).isZero();
            assertThat(media.remoteMediaLifetimeMs()).isZero();
            assertThat(media.cleanupIntervalMs()).isEqualTo(3_600_000L);
            assertThat(media.legacyFrozenSinceMs()).isZero();
            assertThat(media.urlPreview().enabled()).isFalse();
            assertThat(media.urlPreview().ipRangeAllowlist()).isEmpty();
            assertThat(media.urlPreview().maxSize()).isEqualTo(10L << 20);
            assertThat(media.urlPreview().timeoutMs()).isEqualTo(10_000);
        }
        MyelinConfig tuned = ConfigLoader.load(file, List.of("media.local_media_lifetime=90d",
                "media.unused_id_lifetime=30m", "media.url_preview.timeout=500ms", "media.cleanup_interval=45",
                "media.upload_quota_per_user=1G", "media.unauthenticated_frozen_since=2024-09-01T00:00:00Z",
                "media.thumbnail_sizes=[{width: 64, height: 48, method: crop}]",
                "media.url_preview.ip_range_allowlist=[\"10.0.0.0/8\", \"fd00::/8\"]"));
        assertThat(tuned.media().localMediaLifetimeMs()).isEqualTo(90 * 86_400_000L);
        assertThat(tuned.media().unusedIdLifetimeMs()).isEqualTo(30 * 60_000L);
        assertThat(tuned.media().urlPreview().timeoutMs()).isEqualTo(500);
        assertThat(tuned.media().cleanupIntervalMs()).isEqualTo(45_000);
        assertThat(tuned.media().uploadQuotaPerUser()).isEqualTo(1L << 30);
        assertThat(tuned.media().legacyFrozenSinceMs()).isEqualTo(1_725_148_800_000L);
        assertThat(tuned.media().thumbnailSizes()).containsExactly(new MyelinConfig.ThumbnailSize(64, 48, true));
        assertThat(tuned.media().urlPreview().ipRangeAllowlist()).containsExactly("10.0.0.0/8", "fd00::/8");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of("media.url_preview.ip_range_allowlist=[\"intranet\"]")))
                .hasMessageContaining("media.url_preview.ip_range_allowlist");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of("media.local_media_lifetime=soon")))
                .hasMessageContaining("media.local_media_lifetime");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of("media.thumbnail_sizes=[{width: 64, height: 48, method: zoom}]")))
                .hasMessageContaining("media.thumbnail_sizes.0.method");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of("media.unauthenticated_frozen_since=yesterday")))
                .hasMessageContaining("media.unauthenticated_frozen_since");
    }

    @Test
    void anUnknownKeyIsNamedWithItsPath() throws IOException {
        Path file = write("server_name: a.org\ndatabase:\n  kidn: sqlite\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown key 'database.kidn'");
    }

    @Test
    void aWrongTypeNamesTheKeyAndWhatWasExpected() throws IOException {
        Path file = write("server_name: a.org\nlisteners:\n  - port: eighty\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
                .hasMessage("Key 'listeners.0.port': expected an integer from 0 to 65535, got 'eighty'");
    }

    @Test
    void aMissingServerNameIsReported() throws IOException {
        Path file = write("log_level: info\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
                .hasMessage("Missing required key 'server_name': expected a string");
    }

    @Test
    void anInvalidServerNameIsRefused() throws IOException {
        Path file = write("server_name: 'bad name!'\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
                .hasMessageStartingWith("Key 'server_name': 'bad name!' is not a valid server name");
    }

    @Test
    void postgresNeedsAJdbcUrl() throws IOException {
        Path file = write("server_name: a.org\ndatabase:\n  kind: postgres\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
                .hasMessageStartingWith("Key 'database.url': a PostgreSQL JDBC URL");
    }

    @Test
    void overridesSetNestedKeysWithYamlTypes() throws IOException {
        Path file = write("server_name: a.org\n");
        MyelinConfig config = ConfigLoader.load(file, List.of(
                "listeners.0.port=9999", "registration.mode=token", "limits.max_request_body_size=64K",
                "rate_limits.requests_per_ip.per_second=2.5", "well_known.serve_server=false"));
        assertThat(config.listeners().getFirst().port()).isEqualTo(9999);
        assertThat(config.registration().mode()).isEqualTo(MyelinConfig.RegistrationMode.TOKEN);
        assertThat(config.limits().maxRequestBodySize()).isEqualTo(64 * 1024);
        assertThat(config.rateLimits().requestsPerIp().perSecond()).isEqualTo(2.5);
        assertThat(config.wellKnown().server()).isEmpty();
    }

    @Test
    void anOverrideOfAnUnknownKeyIsRejectedLikeTheFile() throws IOException {
        Path file = write("server_name: a.org\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of("databse.kind=postgres")))
                .hasMessage("Unknown key 'databse'");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of("nonsense")))
                .hasMessageContaining("key.path=value");
    }

    @Test
    void badYamlIsReportedWithTheFile() throws IOException {
        Path file = write("server_name: [unclosed\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, List.of()))
                .hasMessageContaining("is not valid YAML");
    }

    @Test
    void signingKeyIsCreatedOnceAndReadBack() throws IOException {
        Path key = dir.resolve("signing.key");
        var created = SigningKeyFile.loadOrCreate(key);
        var again = SigningKeyFile.loadOrCreate(key);
        assertThat(created.keyId()).matches("ed25519:a_[A-Za-z0-9]{4}");
        assertThat(again.keyId()).isEqualTo(created.keyId());
        assertThat(again.seed()).hasSize(32).isEqualTo(created.seed());
        assertThat(java.nio.file.Files.getPosixFilePermissions(key))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
}

package dev.myelin.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FederationConfigTest {
    @TempDir
    Path dir;

    private MyelinConfig load(String yaml) throws IOException {
        Path file = dir.resolve("myelin.yaml");
        Files.writeString(file, "server_name: a.org\n" + yaml);
        return ConfigLoader.load(file, List.of());
    }

    @Test
    void defaultsVerifyCertificatesRefusePrivateAddressesAndTrustNoNotary() throws IOException {
        var federation = load("").federation();

        assertThat(federation).isEqualTo(new MyelinConfig.Federation(true, List.of(), false, Optional.empty(), List.of()));
    }

    @Test
    void theTemplateLoadsWithTheSameDefaults() throws IOException {
        Path file = dir.resolve("template.yaml");
        ConfigTemplate.writeIfMissing(file, "b.org", 8008);

        assertThat(ConfigLoader.load(file, List.of()).federation().tlsVerify()).isTrue();
    }

    @Test
    void everyKeyIsRead() throws IOException {
        var federation = load("""
                federation:
                  tls_verify: false
                  insecure_skip_verify_for: ["test.internal:8448"]
                  allow_private_addresses: true
                  trusted_ca: ca.pem
                  trusted_key_servers:
                    - server_name: matrix.org
                      verify_keys:
                        "ed25519:auto": "Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw"
                    - server_name: other.example
                """).federation();

        assertThat(federation.tlsVerify()).isFalse();
        assertThat(federation.insecureSkipVerifyFor()).containsExactly("test.internal:8448");
        assertThat(federation.allowPrivateAddresses()).isTrue();
        assertThat(federation.trustedCa()).contains(dir.resolve("ca.pem"));
        assertThat(federation.trustedKeyServers()).containsExactly(
                new MyelinConfig.TrustedKeyServer("matrix.org",
                        Map.of("ed25519:auto", "Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw")),
                new MyelinConfig.TrustedKeyServer("other.example", Map.of()));
    }

    @Test
    void badValuesAreRefusedClearly() {
        assertThatThrownBy(() -> load("federation:\n  insecure_skip_verify_for: [\"bad name\"]\n"))
                .hasMessageContaining("federation.insecure_skip_verify_for");
        assertThatThrownBy(() -> load("federation:\n  trusted_key_servers:\n    - verify_keys: {}\n"))
                .hasMessageContaining("server_name");
        assertThatThrownBy(() -> load("federation:\n  trusted_key_servers:\n    - server_name: m.org\n"
                + "      verify_keys:\n        \"ed25519:a\": \"not base64!\"\n"))
                .hasMessageContaining("ed25519:a");
        assertThatThrownBy(() -> load("federation:\n  tls_verfy: false\n")).hasMessageContaining("tls_verfy");
    }
}

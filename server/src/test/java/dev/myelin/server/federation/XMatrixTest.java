package dev.myelin.server.federation;

import dev.myelin.server.federation.transport.XMatrix;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class XMatrixTest {

    @Test
    void parsesTheSpecExampleAndFormatsItBack() {
        String header = "X-Matrix origin=\"origin.hs.example.com\",destination=\"destination.hs.example.com\","
                + "key=\"ed25519:key1\",sig=\"ABCDEF...\"";

        XMatrix parsed = XMatrix.parse(header).orElseThrow();

        assertThat(parsed).isEqualTo(new XMatrix("origin.hs.example.com", Optional.of("destination.hs.example.com"),
                "ed25519:key1", "ABCDEF..."));
        assertThat(parsed.format()).isEqualTo(header);
    }

    @Test
    void acceptsBareValuesWithColonsSpacesCaseAndEscapes() {
        XMatrix parsed = XMatrix.parse("x-matrix  ORIGIN=origin.example:8448 , Key=\"ed25519:a\",\t"
                + "sig=\"a\\\"b\",unknown=1").orElseThrow();

        assertThat(parsed.origin()).isEqualTo("origin.example:8448");
        assertThat(parsed.destination()).isEmpty();
        assertThat(parsed.key()).isEqualTo("ed25519:a");
        assertThat(parsed.signature()).isEqualTo("a\"b");
    }

    @Test
    void refusesOtherSchemesAndMissingParameters() {
        assertThat(XMatrix.parse(null)).isEmpty();
        assertThat(XMatrix.parse("Bearer abc")).isEmpty();
        assertThat(XMatrix.parse("X-Matrixorigin=a,key=b,sig=c")).isEmpty();
        assertThat(XMatrix.parse("X-Matrix origin=a,key=b")).isEmpty();
        assertThat(XMatrix.parse("X-Matrix origin=a,key=b,sig=\"unterminated")).isEmpty();
        assertThat(XMatrix.parse("X-Matrix origin")).isEmpty();
    }
}

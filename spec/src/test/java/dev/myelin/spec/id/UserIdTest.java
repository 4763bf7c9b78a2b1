package dev.myelin.spec.id;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserIdTest {
    @Test
    void parsesLocalpartAndServer() {
        UserId id = UserId.parse("@alice:example.org:8448");
        assertThat(id.localpart()).isEqualTo("alice");
        assertThat(id.server()).isEqualTo(ServerName.parse("example.org:8448"));
        assertThat(id.toString()).isEqualTo("@alice:example.org:8448");
        assertThat(id.isHistorical()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"@a:b", "@0.9_=-/+:example.org", "@x:[::1]:80", "@user:1.2.3.4"})
    void acceptsTodaysGrammar(String text) {
        assertThat(UserId.parseNew(text).toString()).isEqualTo(text);
        assertThat(UserId.parse(text).isHistorical()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"@Alice:example.org", "@a b:example.org", "@a*:example.org", "@:example.org",
            "@日本:example.org", "@a\u0001:example.org", "@\uD83D\uDE00:example.org"})
    void acceptsHistoricalIdsFromOtherServersOnly(String text) {
        UserId id = UserId.parse(text);
        assertThat(id.isHistorical()).isTrue();
        assertThatThrownBy(() -> UserId.parseNew(text))
                .isInstanceOf(InvalidIdentifierException.class).hasMessageContaining("localpart may only hold");
    }

    @Test
    void tellsCompliantHistoricalIdsFromNonCompliantOnes() {
        assertThat(UserId.parse("@Alice!:example.org").isCompliant()).isTrue();
        assertThat(UserId.parse("@a b:example.org").isCompliant()).isFalse();
        assertThat(UserId.parse("@:example.org").isCompliant()).isFalse();
        assertThat(UserId.parse("@日:example.org").isCompliant()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice:example.org", "@alice", "@alice:", "@a\u0000b:example.org", "@a\uD800:example.org",
            "@alice:exa mple.org", "#alice:example.org"})
    void rejectsInvalidIds(String text) {
        assertThatThrownBy(() -> UserId.parse(text)).isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void limitsLengthTo255Bytes() {
        String server = ":example.org";
        String fits = "@" + "a".repeat(255 - 1 - server.length()) + server;
        assertThat(UserId.parse(fits).toString()).hasSize(255);
        assertThatThrownBy(() -> UserId.parse("@a" + fits.substring(1)))
                .isInstanceOf(InvalidIdentifierException.class).hasMessageContaining("255 bytes");
        // bytes, not characters: 127 two-byte characters are 254 bytes
        assertThatThrownBy(() -> UserId.parse("@" + "é".repeat(127) + ":b"))
                .isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void explainsWhy() {
        assertThatThrownBy(() -> UserId.parse("alice"))
                .isInstanceOfSatisfying(InvalidIdentifierException.class,
                        e -> assertThat(e.reason()).isEqualTo("must start with '@'"));
    }
}

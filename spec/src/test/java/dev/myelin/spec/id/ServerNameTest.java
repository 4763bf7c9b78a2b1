package dev.myelin.spec.id;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerNameTest {
    /** The examples of spec appendices "Server Name", plus a few more. */
    @ParameterizedTest
    @CsvSource({
            "matrix.org,matrix.org,-1",
            "matrix.org:8888,matrix.org,8888",
            "1.2.3.4,1.2.3.4,-1",
            "1.2.3.4:1234,1.2.3.4,1234",
            "[1234:5678::abcd],[1234:5678::abcd],-1",
            "[1234:5678::abcd]:5678,[1234:5678::abcd],5678",
            "[::1],[::1],-1",
            "[::ffff:1.2.3.4]:8448,[::ffff:1.2.3.4],8448",
            "[2001:db8:0:0:0:0:2:1],[2001:db8:0:0:0:0:2:1],-1",
            "localhost,localhost,-1",
            "MATRIX.org,MATRIX.org,-1",
            "a-b.example:1,a-b.example,1",
    })
    void acceptsValidNames(String text, String host, int port) {
        ServerName name = ServerName.parse(text);
        assertThat(name.host()).isEqualTo(host);
        assertThat(name.port()).isEqualTo(port < 0 ? OptionalInt.empty() : OptionalInt.of(port));
        assertThat(name.toString()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":8448", "matrix.org:", "matrix.org:123456", "matrix.org:80a", "under_score.org",
            "ex ample.org", "1.2.3.256", "[1234:5678::abcd", "[12345::]", "[1::2::3]", "[1:2:3:4:5:6:7:8:9]",
            "[::g]", "[]", "[1:2:3:4:5:6:7]", "host:8448:1", "matrix.org/path", "é.org"})
    void rejectsInvalidNames(String text) {
        assertThatThrownBy(() -> ServerName.parse(text)).isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void distinguishesIpLiterals() {
        assertThat(ServerName.parse("1.2.3.4:5").isIpLiteral()).isTrue();
        assertThat(ServerName.parse("[::1]").isIpLiteral()).isTrue();
        assertThat(ServerName.parse("example.org").isIpLiteral()).isFalse();
    }

    @Test
    void comparesCaseSensitively() {
        assertThat(ServerName.parse("matrix.org")).isNotEqualTo(ServerName.parse("MATRIX.ORG"));
        assertThat(ServerName.parse("matrix.org:1")).isEqualTo(ServerName.parse("matrix.org:1"));
    }
}

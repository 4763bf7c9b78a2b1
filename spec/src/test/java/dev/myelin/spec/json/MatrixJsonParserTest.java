package dev.myelin.spec.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MatrixJsonParserTest {
    private static JsonNode strict(String json) {
        return MatrixJsonParser.STRICT.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode lenient(String json) {
        return MatrixJsonParser.LENIENT.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesIntegersAtTheLimits() {
        assertThat(strict("[9007199254740991,-9007199254740991]").get(0).longValue()).isEqualTo(9007199254740991L);
        assertThat(strict("[9007199254740991,-9007199254740991]").get(1).longValue()).isEqualTo(-9007199254740991L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9007199254740992", "-9007199254740992", "18446744073709551616"})
    void strictRejectsIntegersBeyondTheLimits(String number) {
        assertThatThrownBy(() -> strict("{\"a\":" + number + "}"))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("outside");
    }

    @Test
    void lenientKeepsLargeIntegers() {
        assertThat(lenient("{\"a\":18446744073709551616}").get("a").bigIntegerValue())
                .isEqualTo(BigInteger.TWO.pow(64));
        assertThat(lenient("{\"a\":9007199254740992}").get("a").longValue()).isEqualTo(9007199254740992L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1e10", "-0.5", "1E2"})
    void strictRejectsFloats(String number) {
        assertThatThrownBy(() -> strict("{\"a\":" + number + "}"))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("float");
    }

    @Test
    void lenientKeepsFloats() {
        assertThat(lenient("{\"a\":0.5}").get("a").doubleValue()).isEqualTo(0.5);
    }

    @Test
    void lenientRejectsFloatsThatOverflow() {
        assertThatThrownBy(() -> lenient("[1e400]")).isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void strictRejectsDuplicateKeys() {
        assertThatThrownBy(() -> strict("{\"a\":1,\"a\":2}"))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("Duplicate");
    }

    @Test
    void lenientTakesTheLastDuplicateKey() {
        assertThat(lenient("{\"a\":1,\"a\":2}").get("a").intValue()).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "[NaN]", "[Infinity]", "[-Infinity]", "{\"a\":1} x", "{\"a\":1}{}", "",
            "{'a':1}", "[01]", "{\"a\":1,}", "[\"\u0001\"]", "{\"a\"}", "[\"\\ud800\"]", "[\"\\udc00x\"]"})
    void bothRejectMalformedJson(String json) {
        assertThatThrownBy(() -> strict(json)).isInstanceOf(InvalidJsonException.class);
        assertThatThrownBy(() -> lenient(json)).isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[][] invalid = {
                {'"', (byte) 0xC3, '"'},                              // truncated
                {'"', (byte) 0xC0, (byte) 0x80, '"'},                 // overlong NUL
                {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'},    // encoded surrogate
                {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // above U+10FFFF
                {'"', (byte) 0xFF, '"'},
                {'[', 0, ']'},
        };
        for (byte[] bytes : invalid) {
            assertThatThrownBy(() -> MatrixJsonParser.LENIENT.parse(bytes)).isInstanceOf(InvalidJsonException.class);
        }
    }

    @Test
    void acceptsMultiByteUtf8AndEscapedPairs() {
        assertThat(strict("[\"日本語 \uD83D\uDE00\", \"\\ud83d\\ude00\"]").get(0).textValue()).isEqualTo("日本語 \uD83D\uDE00");
        assertThat(strict("[\"\\ud83d\\ude00\"]").get(0).textValue()).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void negativeZeroIsZero() {
        assertThat(strict("{\"a\":-0}").get("a").longValue()).isZero();
    }

    @Test
    void parseObjectInsistsOnAnObject() {
        assertThatThrownBy(() -> MatrixJsonParser.STRICT.parseObject("[]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("object");
    }

    @Test
    void roundTripsThroughCanonicalJson() {
        String canonical = "{\"a\":[1,{\"b\":null}],\"c\":\"\\n\\u0000\"}";
        assertThat(CanonicalJson.STRICT.encode(strict(canonical))).asString(StandardCharsets.UTF_8).isEqualTo(canonical);
    }

    @Test
    void onlyLenientAcceptsAByteOrderMark() {
        byte[] withBom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        assertThat(MatrixJsonParser.LENIENT.parse(withBom).isObject()).isTrue();
        assertThatThrownBy(() -> MatrixJsonParser.STRICT.parse(withBom))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("byte order mark");
    }
}

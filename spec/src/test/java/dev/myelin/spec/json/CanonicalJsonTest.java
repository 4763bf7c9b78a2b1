package dev.myelin.spec.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CanonicalJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static String canonical(String json) throws Exception {
        return canonical(MAPPER.readTree(json));
    }

    private static String canonical(JsonNode node) {
        return new String(CanonicalJson.STRICT.encode(node), StandardCharsets.UTF_8);
    }

    /** The examples of spec appendices "Canonical JSON", in order. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{}|{}",
            "{ \"one\": 1, \"two\": \"Two\" }|{\"one\":1,\"two\":\"Two\"}",
            "{ \"b\": \"2\", \"a\": \"1\" }|{\"a\":\"1\",\"b\":\"2\"}",
            "{\"b\":\"2\",\"a\":\"1\"}|{\"a\":\"1\",\"b\":\"2\"}",
            "{\"auth\": {\"success\": true, \"mxid\": \"@john.doe:example.com\", \"profile\": {\"display_name\": \"John Doe\", "
                    + "\"three_pids\": [{\"medium\": \"email\", \"address\": \"john.doe@example.org\"}, "
                    + "{\"medium\": \"msisdn\", \"address\": \"123456789\"}]}}}"
                    + "|{\"auth\":{\"mxid\":\"@john.doe:example.com\",\"profile\":{\"display_name\":\"John Doe\",\"three_pids\":"
                    + "[{\"address\":\"john.doe@example.org\",\"medium\":\"email\"},{\"address\":\"123456789\",\"medium\":\"msisdn\"}]},"
                    + "\"success\":true}}",
            "{ \"a\": \"日本語\" }|{\"a\":\"日本語\"}",
            "{ \"本\": 2, \"日\": 1 }|{\"日\":1,\"本\":2}",
            "{ \"a\": \"\\u65E5\" }|{\"a\":\"日\"}",
            "{ \"a\": null }|{\"a\":null}",
            "{ \"a\": -0, \"b\": 1e10 }|{\"a\":0,\"b\":10000000000}",
    })
    void specExamples(String input, String expected) throws Exception {
        assertThat(canonical(input)).isEqualTo(expected);
    }

    @Test
    void sortsKeysByCodePointNotUtf16Unit() {
        // U+1F600 is a surrogate pair (D83D DE00), which String.compareTo puts before U+FFFD.
        ObjectNode object = NODES.objectNode();
        object.put("\uD83D\uDE00", 1);
        object.put("\uFFFD", 2);
        object.put("a", 3);
        assertThat(canonical(object)).isEqualTo("{\"a\":3,\"\uFFFD\":2,\"\uD83D\uDE00\":1}");
        assertThat(CanonicalJson.STRICT.encode(object)).containsExactly(
                '{', '"', 'a', '"', ':', '3', ',',
                '"', 0xEF, 0xBF, 0xBD, '"', ':', '2', ',',
                '"', 0xF0, 0x9F, 0x98, 0x80, '"', ':', '1', '}');
    }

    @Test
    void sortsPrefixBeforeLongerKey() {
        ObjectNode object = NODES.objectNode();
        object.put("ab", 1);
        object.put("a", 2);
        object.put("B", 3);
        assertThat(canonical(object)).isEqualTo("{\"B\":3,\"a\":2,\"ab\":1}");
    }

    @Test
    void escapesOnlyQuoteBackslashAndControlCharacters() {
        JsonNode text = NODES.textNode("\"\\\b\f\n\r\t\u0000\u0001\u001f\u007f/é\u2028");
        assertThat(canonical(text)).isEqualTo("\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u007f/é\u2028\"");
    }

    @Test
    void usesLowercaseHexInEscapes() {
        assertThat(canonical(NODES.textNode("\u000b\u001a"))).isEqualTo("\"\\u000b\\u001a\"");
    }

    @Test
    void writesIntegersAtTheRangeLimits() {
        long max = (1L << 53) - 1;
        assertThat(canonical(NODES.numberNode(max))).isEqualTo("9007199254740991");
        assertThat(canonical(NODES.numberNode(-max))).isEqualTo("-9007199254740991");
        assertThat(canonical(NODES.numberNode(0))).isEqualTo("0");
    }

    @Test
    void strictRejectsIntegersBeyondTheRange() {
        assertThatThrownBy(() -> CanonicalJson.STRICT.encode(NODES.numberNode(1L << 53)))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("9007199254740992");
        assertThatThrownBy(() -> CanonicalJson.STRICT.encode(NODES.numberNode(-(1L << 53))))
                .isInstanceOf(InvalidJsonException.class);
        assertThatThrownBy(() -> CanonicalJson.STRICT.encode(NODES.numberNode(BigInteger.TWO.pow(70))))
                .isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void strictRejectsFractions() {
        assertThatThrownBy(() -> CanonicalJson.STRICT.encode(NODES.numberNode(0.5)))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("float");
    }

    @Test
    void lenientWritesWhatOldRoomVersionsMayHold() {
        assertThat(CanonicalJson.LENIENT.encode(NODES.numberNode(1L << 60))).asString().isEqualTo("1152921504606846976");
        assertThat(CanonicalJson.LENIENT.encode(NODES.numberNode(BigInteger.TWO.pow(70)))).asString()
                .isEqualTo("1180591620717411303424");
        assertThat(CanonicalJson.LENIENT.encode(NODES.numberNode(50.0))).asString().isEqualTo("50.0");
        assertThat(CanonicalJson.LENIENT.encode(NODES.numberNode(0.1))).asString().isEqualTo("0.1");
    }

    @ParameterizedTest
    @CsvSource({"0.0,0.0", "-0.0,-0.0", "1.5,1.5", "1e16,1e+16", "1.5e-5,1.5e-05", "0.0001,0.0001",
            "123456789012345.6,123456789012345.6", "1e22,1e+22", "-2.5e-300,-2.5e-300", "9999999999999998,9999999999999998.0"})
    void lenientFloatsMatchPythonRepr(double value, String python) {
        assertThat(PythonFloat.repr(value)).isEqualTo(python);
    }

    @Test
    void rejectsLoneSurrogates() {
        assertThatThrownBy(() -> CanonicalJson.STRICT.encode(NODES.textNode("a\uD800b")))
                .isInstanceOf(InvalidJsonException.class).hasMessageContaining("surrogate");
        assertThatThrownBy(() -> CanonicalJson.STRICT.encode(NODES.textNode("\uDC00")))
                .isInstanceOf(InvalidJsonException.class);
    }

    @Test
    void omitsTopLevelKeysWithoutTouchingNestedOnes() throws Exception {
        ObjectNode object = (ObjectNode) MAPPER.readTree(
                "{\"unsigned\":{\"a\":1},\"b\":{\"unsigned\":2},\"signatures\":{},\"c\":[]}");
        assertThat(new String(CanonicalJson.STRICT.encodeWithout(object, Set.of("unsigned", "signatures")),
                StandardCharsets.UTF_8)).isEqualTo("{\"b\":{\"unsigned\":2},\"c\":[]}");
        assertThat(object.has("unsigned")).isTrue();
    }

    @Test
    void nestsArraysAndLiterals() throws Exception {
        assertThat(canonical("[ true , false, null, [ ], { \"z\" : [1, -2] } ]"))
                .isEqualTo("[true,false,null,[],{\"z\":[1,-2]}]");
    }

    @Test
    void growsBeyondTheInitialBuffer() {
        String big = "x".repeat(5000) + "é".repeat(2000);
        assertThat(canonical(NODES.textNode(big))).isEqualTo("\"" + big + "\"");
    }
}

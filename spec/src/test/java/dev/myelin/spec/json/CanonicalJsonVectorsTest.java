package dev.myelin.spec.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random documents (non-BMP keys, escapes, control characters, integers up to ±(2^53-1)) whose
 * canonical form was produced by the Python reference recipe of spec appendices "Canonical JSON";
 * see the first line of the resource for how.
 */
class CanonicalJsonVectorsTest {
    @Test
    void matchesThePythonReference() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<String> lines;
        try (var reader = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/canonical-json-vectors.jsonl"), StandardCharsets.UTF_8))) {
            lines = reader.lines().skip(1).toList();
        }
        assertThat(lines).hasSize(100);
        for (String line : lines) {
            JsonNode vector = mapper.readTree(line);
            byte[] input = vector.get("input").textValue().getBytes(StandardCharsets.UTF_8);
            String expected = vector.get("canonical").textValue();
            JsonNode parsed = MatrixJsonParser.STRICT.parse(input);
            assertThat(new String(CanonicalJson.STRICT.encode(parsed), StandardCharsets.UTF_8))
                    .as(vector.get("input").textValue()).isEqualTo(expected);
        }
    }
}

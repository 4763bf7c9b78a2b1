package dev.myelin.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one Jackson mapper the server shares (thread-safe once configured). */
public final class Json {
    /**
     * Strict on input: duplicate keys are rejected (they are ambiguous in signed JSON), and
     * trailing tokens after the top-level value are an error. Parsers and generators share one pool of buffers:
     * Jackson's default keeps them per thread, and every request runs on a new virtual thread, so each response
     * allocated its buffers (about 12 KB) anew. The pool is bounded (Jackson's default, 100 sets), so a burst of
     * parsers blocked on slow input streams does not leave its buffers behind.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
            .build();

    private Json() {
    }
}

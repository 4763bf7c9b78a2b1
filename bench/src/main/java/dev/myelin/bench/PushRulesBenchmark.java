package dev.myelin.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.push.PushContext;
import dev.myelin.server.push.PushRule;
import dev.myelin.server.push.PushRuleEvaluator;
import dev.myelin.server.push.PushRuleSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Push rule evaluation for one recipient: the default rule set against a plain message (falls through every
 * override rule to .m.rule.message) and against a mention (matches .m.rule.is_user_mention). The evaluator pays this
 * once per local member per event.
 * Run: java -jar bench/target/benchmarks.jar PushRulesBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s -t 1
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PushRulesBenchmark {
    private static final String BOB = "@bob:example.org";

    private List<PushRule> rules;
    private JsonNode message;
    private JsonNode mention;
    private PushContext context;

    @Setup
    public void setUp() throws Exception {
        rules = new PushRuleSet(BOB, Map.of(), Map.of()).ordered();
        message = Json.MAPPER.readTree("""
                {"type": "m.room.message", "sender": "@alice:example.org", "room_id": "!room:example.org",
                 "content": {"msgtype": "m.text", "body": "Shall we move the release to Thursday?"}}""");
        mention = Json.MAPPER.readTree("""
                {"type": "m.room.message", "sender": "@alice:example.org", "room_id": "!room:example.org",
                 "content": {"msgtype": "m.text", "body": "Bob, shall we move the release to Thursday?",
                             "m.mentions": {"user_ids": ["@bob:example.org"]}}}""");
        context = new PushContext(BOB, "Bob", 12, 0, null);
    }

    @Benchmark
    public Object plainMessage() {
        return PushRuleEvaluator.firstMatch(rules, message, context);
    }

    @Benchmark
    public Object mention() {
        return PushRuleEvaluator.firstMatch(rules, mention, context);
    }
}

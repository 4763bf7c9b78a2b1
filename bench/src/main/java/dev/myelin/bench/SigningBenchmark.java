package dev.myelin.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.crypto.EventHashes;
import dev.myelin.spec.crypto.EventSigner;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.crypto.VerifyKey;
import dev.myelin.spec.event.Redactor;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.json.CanonicalJson;
import dev.myelin.spec.json.MatrixJsonParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Signing and verifying a typical ~1 KB room message, the per-event cost of sending and receiving.
 * Run: java -jar bench/target/benchmarks.jar SigningBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s -t 1
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SigningBenchmark {
    private static final String SERVER = "example.org";
    private static final String EVENT = """
            {"auth_events": ["$Jk4gkJcXbpsyKXMw7w7gGpvgJ3gXzfPjVsrSD7fM0uE", "$2Nn8kIqjPgwXbBr3jIz1UHJh0dGqWcEJZLTdC6-cBUo",
                             "$sNXf3oRrgfKfm5lH_1nkSsyr9u9kE8cBQyfXdGtJ3xw"],
             "prev_events": ["$Vh0m3BSuNvL4IWvgdI6tWbxM3yuLOq1dEx1aCWGzrrA"],
             "content": {"msgtype": "m.text",
                         "body": "Shall we move the release to Thursday? The migration tests still fail on Postgres 17 and I would rather not ship on a Friday.",
                         "format": "org.matrix.custom.html",
                         "formatted_body": "Shall we move the release to <b>Thursday</b>? The migration tests still fail on Postgres 17 and I would rather not ship on a Friday.",
                         "m.mentions": {"user_ids": ["@bob:example.org"]},
                         "m.relates_to": {"m.in_reply_to": {"event_id": "$f3Ts3aPXOf5JtZqfKeu3dbTgiRSWLr0kVzb0dvwzG5g"}}},
             "depth": 48213, "origin_server_ts": 1763776000123,
             "room_id": "!8s-COYpGrox2h8Of37td3e5ShdRNiZvnGPS-2HX9yeA",
             "sender": "@alice:example.org", "type": "m.room.message",
             "hashes": {}, "signatures": {},
             "unsigned": {"age_ts": 1763776000123, "transaction_id": "m1763776000.17"}}""";

    private SigningKey key;
    private VerifyKey verifyKey;
    private ObjectNode unsigned;
    private ObjectNode signed;
    private byte[] redactedCanonical;
    private byte[] signature;

    @Setup
    public void setUp() {
        key = SigningKey.fromBase64Seed("ed25519:a_bench", "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1");
        verifyKey = key.verifyKey();
        byte[] bytes = EVENT.getBytes(StandardCharsets.UTF_8);
        unsigned = MatrixJsonParser.STRICT.parseObject(bytes);
        signed = EventSigner.hashAndSign(MatrixJsonParser.STRICT.parseObject(bytes), RoomVersion.V12, SERVER, key);
        if (!EventSigner.verify(signed, RoomVersion.V12, SERVER, verifyKey)) {
            throw new IllegalStateException("benchmark event does not verify");
        }
        redactedCanonical = CanonicalJson.STRICT.encodeWithout(
                Redactor.redact(signed, RoomVersion.V12), java.util.Set.of("signatures", "unsigned"));
        signature = key.sign(redactedCanonical);
        int size = CanonicalJson.STRICT.encode(signed).length;
        if (size < 900 || size > 1200) {
            throw new IllegalStateException("benchmark event should be about 1 KB, is " + size);
        }
    }

    /** Content hash, redaction, canonical JSON and Ed25519 signature of an outgoing event. */
    @Benchmark
    public ObjectNode hashAndSign() {
        return EventSigner.hashAndSign(unsigned, RoomVersion.V12, SERVER, key);
    }

    /** Redaction, canonical JSON and Ed25519 verification of a received event's signature. */
    @Benchmark
    public boolean verify() {
        return EventSigner.verify(signed, RoomVersion.V12, SERVER, verifyKey);
    }

    /** The content hash check a received event also gets. */
    @Benchmark
    public boolean checkContentHash() {
        return EventHashes.hasValidContentHash(signed, RoomVersion.V12);
    }

    /** Ed25519 alone on the already encoded redacted event: the floor for {@link #hashAndSign}. */
    @Benchmark
    public byte[] ed25519SignOnly() {
        return key.sign(redactedCanonical);
    }

    /** Ed25519 alone on the already encoded redacted event: the floor for {@link #verify}. */
    @Benchmark
    public boolean ed25519VerifyOnly() {
        return verifyKey.verify(redactedCanonical, signature);
    }

    /** Canonical JSON alone, the part not spent in cryptography. */
    @Benchmark
    public byte[] canonicalize() {
        return CanonicalJson.STRICT.encode(signed);
    }
}

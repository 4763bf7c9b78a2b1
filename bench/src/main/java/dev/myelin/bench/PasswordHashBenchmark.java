package dev.myelin.bench;

import dev.myelin.server.user.PasswordHasher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The cost of one password hash (registration, password change) and one verification (login, UIA) with the
 * Argon2id parameters Myelin uses (OWASP's minimum: m=19 MiB, t=2, p=1), and a bcrypt verification for hashes
 * imported from Synapse (cost 12, Synapse's default).
 * Run: java -jar bench/target/benchmarks.jar PasswordHashBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s -t 1
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PasswordHashBenchmark {
    private PasswordHasher hasher;
    private String argon2Hash;
    private String bcryptHash;

    @Setup
    public void setUp() {
        hasher = new PasswordHasher();
        argon2Hash = hasher.hash("correct horse battery staple");
        bcryptHash = org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate("2b",
                "correct horse battery staple".toCharArray(), new byte[16], 12);
    }

    @Benchmark
    public String argon2idHash() {
        return hasher.hash("correct horse battery staple");
    }

    @Benchmark
    public boolean argon2idVerify() {
        return hasher.verify("correct horse battery staple", argon2Hash);
    }

    @Benchmark
    public boolean bcryptCost12Verify() {
        return hasher.verify("correct horse battery staple", bcryptHash);
    }
}

package dev.myelin.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small closed-loop load generator for account endpoints against a running server:
 * {@code whoami} (the cached access token lookup) and {@code login} (Argon2id verification + a device write).
 * Run (server on loopback with open registration and login rate limits off):
 * java -cp bench/target/benchmarks.jar dev.myelin.bench.AccountsLoad http://127.0.0.1:8008 whoami 64 20
 * java -cp bench/target/benchmarks.jar dev.myelin.bench.AccountsLoad http://127.0.0.1:8008 login 4 20
 * Arguments: base URL, scenario, concurrent connections, seconds.
 */
public final class AccountsLoad {
    private static final Pattern TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String scenario = args[1];
        int concurrency = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        String user = "load" + System.currentTimeMillis();
        String password = "load-password-1";
        var register = post(http, base + "/_matrix/client/v3/register", "{\"username\":\"" + user + "\",\"password\":\""
                + password + "\",\"auth\":{\"type\":\"m.login.dummy\"}}", null);
        Matcher m = TOKEN.matcher(register.body());
        if (register.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("registration failed: " + register.statusCode() + " " + register.body());
        }
        String token = m.group(1);
        String loginBody = "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"" + user
                + "\"},\"password\":\"" + password + "\",\"device_id\":\"LOAD\"}";
        HttpRequest whoami = HttpRequest.newBuilder(URI.create(base + "/_matrix/client/v3/account/whoami"))
                .header("Authorization", "Bearer " + token).GET().build();

        var ok = new LongAdder();
        var failed = new LongAdder();
        var latencyNanos = new AtomicLong();
        long warmupEnd = System.nanoTime() + Duration.ofSeconds(Math.min(5, seconds / 4 + 1)).toNanos();
        long end = warmupEnd + Duration.ofSeconds(seconds).toNanos();
        try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < concurrency; i++) {
                workers.submit(() -> {
                    while (true) {
                        long start = System.nanoTime();
                        if (start > end) {
                            return null;
                        }
                        HttpResponse<String> response = scenario.equals("login")
                                ? post(http, base + "/_matrix/client/v3/login", loginBody, null)
                                : http.send(whoami, HttpResponse.BodyHandlers.ofString());
                        long done = System.nanoTime();
                        if (start >= warmupEnd) {
                            if (response.statusCode() == 200) {
                                ok.increment();
                                latencyNanos.addAndGet(done - start);
                            } else {
                                failed.increment();
                            }
                        }
                    }
                });
            }
        }
        double rate = ok.sum() / (double) seconds;
        System.out.printf("%s: %d ok, %d failed in %d s = %.0f requests/s, mean latency %.2f ms (%d connections)%n",
                scenario, ok.sum(), failed.sum(), seconds, rate,
                ok.sum() == 0 ? 0 : latencyNanos.get() / 1e6 / ok.sum(), concurrency);
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body, String token) throws Exception {
        var builder = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }
}

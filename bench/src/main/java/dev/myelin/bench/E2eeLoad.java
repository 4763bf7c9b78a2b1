package dev.myelin.bench;

import dev.myelin.server.Homeserver;
import dev.myelin.server.config.ConfigLoader;
import dev.myelin.server.config.ConfigTemplate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * E2EE figures over HTTP against an in-process server on SQLite (or PostgreSQL with {@code --set} overrides):
 * one-time key claims per second with {@code claimers} concurrent claimers taking {@code keys} keys of one device,
 * and the time of one {@code PUT /sendToDevice} to {@code devices} devices (explicit device ids, then "*").
 * Run: java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.myelin.bench.E2eeLoad
 * [claimers=100] [keys=20000] [devices=1000] [extra config overrides...]
 */
public final class E2eeLoad {
    private static final Pattern FIELD = Pattern.compile("\"(access_token|user_id|device_id)\"\\s*:\\s*\"([^\"]+)\"");
    private static final String V3 = "/_matrix/client/v3";

    public static void main(String[] args) throws Exception {
        int claimers = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int keys = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int devices = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        List<String> overrides = new ArrayList<>(List.of("listeners.0.bind_address=127.0.0.1", "log_level=warn",
                "registration.mode=open", "rate_limits.registration.per_second=0"));
        overrides.addAll(Arrays.asList(args).subList(Math.min(3, args.length), args.length));
        Path dir = Files.createTempDirectory("myelin-e2ee-load");
        ConfigTemplate.writeIfMissing(dir.resolve("myelin.yaml"), "bench.local", 0);
        try (Homeserver server = Homeserver.start(ConfigLoader.load(dir.resolve("myelin.yaml"), overrides))) {
            String base = "http://127.0.0.1:" + server.port(0);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
            String[] alice = register(http, base, "alice");
            String[] bob = register(http, base, "bob");

            // Claims: the keys of one device, taken by concurrent claimers until none is left.
            for (int batch = 0; batch < keys; batch += 1000) {
                var body = new StringBuilder("{\"one_time_keys\":{");
                for (int i = batch; i < Math.min(keys, batch + 1000); i++) {
                    body.append(i == batch ? "" : ",").append("\"signed_curve25519:K").append(i)
                            .append("\":{\"key\":\"key").append(i).append("\"}");
                }
                check(send(http, "POST", base + V3 + "/keys/upload", body.append("}}").toString(), alice[0]));
            }
            String claim = "{\"one_time_keys\":{\"" + alice[1] + "\":{\"" + alice[2] + "\":\"signed_curve25519\"}}}";
            var claimed = new AtomicInteger();
            long start = System.nanoTime();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < claimers; c++) {
                    pool.submit(() -> {
                        while (claimed.get() < keys) {
                            if (check(send(http, "POST", base + V3 + "/keys/claim", claim, bob[0])).contains("signed_curve25519:K")) {
                                claimed.incrementAndGet();
                            } else {
                                return null;
                            }
                        }
                        return null;
                    });
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("claims: %d one-time keys by %d claimers in %.2f s = %.0f claims/s%n", claimed.get(),
                    claimers, seconds, claimed.get() / seconds);

            // One to-device message to each of many devices of Bob (devices made without password logins).
            var deviceIds = new ArrayList<String>();
            for (int i = 0; i < devices; i++) {
                String id = "DEV" + i;
                server.accounts().sessions().startSession(bob[1], id, Optional.empty(), false);
                deviceIds.add(id);
            }
            var messages = new StringBuilder("{\"messages\":{\"" + bob[1] + "\":{");
            for (int i = 0; i < deviceIds.size(); i++) {
                messages.append(i == 0 ? "" : ",").append('"').append(deviceIds.get(i))
                        .append("\":{\"algorithm\":\"m.olm.v1.curve25519-aes-sha2\",\"ciphertext\":{}}");
            }
            String explicit = messages.append("}}}").toString();
            String all = "{\"messages\":{\"" + bob[1] + "\":{\"*\":{\"body\":\"to every device\"}}}}";
            for (String[] variant : new String[][] {{"explicit device ids", explicit},
                    {"\"*\", with the registered device", all}}) {
                var times = new ArrayList<Double>();
                for (int run = 0; run < 12; run++) {
                    long sent = System.nanoTime();
                    check(send(http, "PUT", base + V3 + "/sendToDevice/m.bench/" + variant[0].hashCode() + "-" + run,
                            variant[1], alice[0]));
                    if (run >= 2) {
                        times.add((System.nanoTime() - sent) / 1e6);
                    }
                }
                times.sort(Double::compare);
                System.out.printf("sendToDevice to %d devices (%s): median %.1f ms, best %.1f ms, worst %.1f ms%n",
                        devices, variant[0], times.get(times.size() / 2), times.getFirst(), times.getLast());
            }
        }
    }

    /** Registers a user (open registration); returns access token, user id and device id. */
    static String[] register(HttpClient http, String base, String name) throws Exception {
        String body = "{\"username\":\"" + name + System.nanoTime() % 100000 + "\",\"password\":\"bench-password-1\"";
        String first = send(http, "POST", base + V3 + "/register", body + "}", null).body();
        String session = first.replaceAll(".*\"session\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        String done = check(send(http, "POST", base + V3 + "/register",
                body + ",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}", null));
        String[] out = new String[3];
        Matcher m = FIELD.matcher(done);
        while (m.find()) {
            switch (m.group(1)) {
                case "access_token" -> out[0] = m.group(2);
                case "user_id" -> out[1] = m.group(2);
                default -> out[2] = m.group(2);
            }
        }
        return out;
    }

    static HttpResponse<String> send(HttpClient http, String method, String url, String body, String token)
            throws Exception {
        var builder = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}

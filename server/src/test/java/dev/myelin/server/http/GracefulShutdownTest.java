package dev.myelin.server.http;

import dev.myelin.server.metrics.Metrics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GracefulShutdownTest {
    @Test
    void anInFlightRequestFinishesWhileTheServerStops() throws Exception {
        var entered = new CountDownLatch(1);
        var router = new Router().add("GET", "/slow", request -> {
            entered.countDown();
            Thread.sleep(700);
            return MatrixResponse.ok(java.util.Map.of("done", true));
        });
        var dispatcher = new MatrixDispatcher(router, new Metrics(), 1024, new RateLimiter(RateLimit.UNLIMITED));
        var server = new HttpServer(List.of(new HttpServer.Binding("127.0.0.1", 0, Optional.empty(), false, dispatcher)),
                Duration.ofSeconds(5));
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.port(0) + "/slow");
        HttpClient client = HttpClient.newHttpClient();

        CompletableFuture<HttpResponse<String>> inFlight =
                client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        server.close();

        HttpResponse<String> response = inFlight.get(5, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"done\":true}");
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOfAny(ConnectException.class, IOException.class);
    }
}

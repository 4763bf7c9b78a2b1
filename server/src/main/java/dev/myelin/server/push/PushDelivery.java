package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.NotificationStore;
import dev.myelin.server.storage.PusherStore;
import dev.myelin.server.storage.PusherStore.Due;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Sends waiting notifications to push gateways ({@code POST /_matrix/push/v1/notify}, spec: push gateway API) from
 * the outbox, oldest first per pusher: a pusher's next notification waits until the one before it was delivered or
 * given up. A failure is retried with exponential back-off; a pushkey the gateway lists in {@code rejected} loses
 * its pusher.
 */
public final class PushDelivery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PushDelivery.class);
    private static final int BATCH = 50;
    private static final long MAX_SLEEP_MILLIS = 30_000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** Retries wait {@code initial}, then twice as long each time up to {@code max}; after maxAttempts: dropped. */
    public record Backoff(Duration initial, Duration max, int maxAttempts) {
        public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofHours(1), 30);

        long delayMillis(int attempts) {
            long delay = initial.toMillis() << Math.min(attempts - 1, 40);
            return delay <= 0 ? max.toMillis() : Math.min(delay, max.toMillis());
        }
    }

    private final PusherStore pushers;
    private final NotificationStore notifications;
    private final Clock clock;
    private final Backoff backoff;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final WorkerLoop loop;

    public PushDelivery(PusherStore pushers, NotificationStore notifications, Clock clock, Backoff backoff) {
        this.pushers = pushers;
        this.notifications = notifications;
        this.clock = clock;
        this.backoff = backoff;
        this.loop = new WorkerLoop("push-delivery", LOG, this::step);
    }

    public PushDelivery start() {
        loop.start();
        return this;
    }

    /** Notifications were added to the outbox. */
    public void wake() {
        loop.wake();
    }

    private long step() {
        for (Due due : pushers.due(clock.millis(), BATCH)) {
            send(due);
        }
        OptionalLong next = pushers.nextDue();
        return next.isEmpty() ? MAX_SLEEP_MILLIS : Math.min(MAX_SLEEP_MILLIS, next.getAsLong() - clock.millis());
    }

    private void send(Due due) {
        PusherStore.Pusher pusher = due.pusher();
        String url = pusher.data().path("url").asText();
        ObjectNode notification = due.notification().deepCopy();
        long unread = notifications.unreadTotal(pusher.userId());
        if (unread > 0) {
            notification.putObject("counts").put("unread", unread);
        }
        ObjectNode device = notification.putArray("devices").addObject();
        device.put("app_id", pusher.appId());
        device.put("pushkey", pusher.pushkey());
        device.put("pushkey_ts", pusher.pushkeyTs() / 1000);
        ObjectNode data = pusher.data().deepCopy();
        data.remove("url");
        device.set("data", data);
        device.set("tweaks", due.tweaks());
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("notification", notification);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                if (rejected(response.body(), pusher.pushkey())) {
                    LOG.info("Push gateway {} rejected a pushkey of {}; pusher removed", url, pusher.userId());
                    pushers.delete(pusher.id());
                } else {
                    pushers.delivered(due.deliveryId());
                }
                return;
            }
            failed(due, "HTTP " + response.statusCode());
        } catch (IOException | IllegalArgumentException e) {
            failed(due, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean rejected(String body, String pushkey) {
        try {
            JsonNode rejected = Json.MAPPER.readTree(body).path("rejected");
            for (JsonNode key : rejected) {
                if (pushkey.equals(key.asText(null))) {
                    return true;
                }
            }
        } catch (IOException notJson) {
            // A 2xx without a JSON body still delivered the notification.
        }
        return false;
    }

    private void failed(Due due, String why) {
        int attempts = due.attempts() + 1;
        if (attempts >= backoff.maxAttempts()) {
            LOG.warn("Giving up a push to {} after {} attempts: {}", due.pusher().data().path("url").asText(),
                    attempts, why);
            pushers.delivered(due.deliveryId());
            return;
        }
        LOG.debug("Push to {} failed ({}), attempt {}", due.pusher().data().path("url").asText(), why, attempts);
        pushers.retryLater(due.deliveryId(), attempts, clock.millis() + backoff.delayMillis(attempts));
    }

    @Override
    public void close() {
        loop.close();
        http.close();
    }
}

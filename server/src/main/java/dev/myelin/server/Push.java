package dev.myelin.server;

import dev.myelin.server.client.NotificationsEndpoint;
import dev.myelin.server.client.PushRuleEndpoints;
import dev.myelin.server.client.PusherEndpoints;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.push.NotificationEvaluator;
import dev.myelin.server.push.PushDelivery;
import dev.myelin.server.push.PushRuleService;
import dev.myelin.server.push.PushRulesContributor;
import dev.myelin.server.push.PusherService;
import dev.myelin.server.push.UnreadCounts;
import dev.myelin.server.push.UnreadCountsContributor;
import dev.myelin.server.storage.NotificationStore;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlNotificationStore;
import dev.myelin.server.storage.sql.SqlPushRuleStore;
import dev.myelin.server.storage.sql.SqlPusherStore;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.SyncService;

import java.time.Clock;

/**
 * Push notifications wired together: push rules, the evaluator that turns new events into notifications (run by
 * the events' writer before long-polls are woken, so counts arrive with their event), unread counts in sync, pushers and the push gateway
 * delivery worker, and their endpoints. {@link #unreadCounts} is the {@code ReadReceiptListener} receipts feed.
 */
public record Push(PushRuleService rules, NotificationStore notifications, PusherService pushers,
                   NotificationEvaluator evaluator, PushDelivery delivery, UnreadCounts unreadCounts, Rooms rooms)
        implements AutoCloseable {

    public static Push create(Database database, Rooms rooms, Accounts accounts, SyncService sync, Clock clock,
                              PushDelivery.Backoff backoff) {
        var notifier = rooms.notifier();
        var rules = new PushRuleService(new SqlPushRuleStore(database), notifier);
        var notifications = new SqlNotificationStore(database);
        var pusherStore = new SqlPusherStore(database);
        var pushers = new PusherService(pusherStore, clock);
        var delivery = new PushDelivery(pusherStore, notifications, clock, backoff).start();
        var evaluator = new NotificationEvaluator(rooms.service(), rooms.recentEvents(), rules, notifications,
                pusherStore, notifier, delivery::wake, clock).start();
        notifier.beforeWaking(SqlRoomStore.EVENTS, evaluator::catchUp);
        var unreadCounts = new UnreadCounts(notifications, notifier);
        sync.register(new PushRulesContributor(rules));
        sync.register(new UnreadCountsContributor(notifications, evaluator));
        sync.register(unreadCounts);
        accounts.devices().addListener(pushers);
        return new Push(rules, notifications, pushers, evaluator, delivery, unreadCounts, rooms);
    }

    public void routes(Router router, Authenticator authenticator) {
        new PushRuleEndpoints(authenticator, rules).register(router);
        new PusherEndpoints(authenticator, pushers).register(router);
        new NotificationsEndpoint(authenticator, notifications, rooms.service(), rooms.reader()).register(router);
    }

    @Override
    public void close() {
        evaluator.close();
        delivery.close();
    }
}

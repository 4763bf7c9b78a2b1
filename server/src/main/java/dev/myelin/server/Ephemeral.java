package dev.myelin.server;

import dev.myelin.server.accountdata.AccountDataService;
import dev.myelin.server.accountdata.AccountDataSync;
import dev.myelin.server.accountdata.RoomTags;
import dev.myelin.server.client.AccountDataEndpoints;
import dev.myelin.server.client.PresenceEndpoints;
import dev.myelin.server.client.ReceiptEndpoints;
import dev.myelin.server.client.TagEndpoints;
import dev.myelin.server.client.TypingEndpoint;
import dev.myelin.server.config.MyelinConfig;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.presence.PresenceService;
import dev.myelin.server.presence.PresenceSync;
import dev.myelin.server.receipt.ReceiptService;
import dev.myelin.server.receipt.ReceiptSync;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlAccountDataStore;
import dev.myelin.server.storage.sql.SqlPresenceStore;
import dev.myelin.server.storage.sql.SqlReceiptStore;
import dev.myelin.server.sync.Notifier;
import dev.myelin.server.sync.SyncService;
import dev.myelin.server.typing.TypingService;
import dev.myelin.server.typing.TypingSync;

import java.time.Clock;
import java.util.Optional;

/**
 * Account data (with room tags), typing, receipts (with read markers) and presence wired together: per-user data
 * and ephemeral events that are not room events. Each registers its part of {@code /sync}. Presence is absent when
 * {@code presence.enabled} is false.
 */
public record Ephemeral(AccountDataService accountData, RoomTags tags, TypingService typing,
                        ReceiptService receipts, Optional<PresenceService> presence, Rooms rooms)
        implements AutoCloseable {

    public static Ephemeral create(MyelinConfig config, Database database, Rooms rooms, Notifier notifier,
                                   SyncService sync, Clock clock) {
        var accountDataStore = new SqlAccountDataStore(database);
        var accountData = new AccountDataService(accountDataStore, notifier);
        sync.register(new AccountDataSync(accountDataStore));
        var typing = new TypingService(notifier, clock);
        sync.register(new TypingSync(typing));
        var receiptStore = new SqlReceiptStore(database);
        var receipts = new ReceiptService(receiptStore, rooms.service(), accountData, notifier, clock);
        sync.register(new ReceiptSync(receiptStore));
        Optional<PresenceService> presence = Optional.empty();
        if (config.presence().enabled()) {
            var presenceStore = new SqlPresenceStore(database);
            var service = new PresenceService(presenceStore, rooms.service().store(), notifier, clock).start();
            sync.register(new PresenceSync(service, presenceStore, rooms.service().store()));
            sync.register((userId, setPresence) -> service.syncing(userId, setPresence)::close);
            // Sending an event is activity (spec "Presence": last_active_ago follows what the user does).
            rooms.service().addListener((roomId, events, local) -> {
                if (local) {
                    events.stream().map(dev.myelin.spec.event.Pdu::sender).distinct().forEach(service::active);
                }
            });
            presence = Optional.of(service);
        }
        return new Ephemeral(accountData, new RoomTags(accountData), typing, receipts, presence, rooms);
    }

    public void routes(Router router, Authenticator authenticator) {
        new AccountDataEndpoints(authenticator, accountData).register(router);
        new TagEndpoints(authenticator, tags).register(router);
        new TypingEndpoint(authenticator, rooms.service(), typing,
                userId -> presence.ifPresent(service -> service.active(userId))).register(router);
        new ReceiptEndpoints(authenticator, receipts).register(router);
        new PresenceEndpoints(authenticator, rooms.service().store(), presence).register(router);
    }

    @Override
    public void close() {
        typing.close();
        presence.ifPresent(PresenceService::close);
    }
}

package dev.myelin.server;

import dev.myelin.server.client.PushRuleEndpoints;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.push.PushRuleService;
import dev.myelin.server.push.PushRulesContributor;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlPushRuleStore;
import dev.myelin.server.sync.SyncService;

/** Push notifications wired together: push rules, their sync contributor, and their endpoints. */
public record Push(PushRuleService rules) implements AutoCloseable {

    public static Push create(Database database, Rooms rooms, SyncService sync) {
        var rules = new PushRuleService(new SqlPushRuleStore(database), rooms.notifier());
        sync.register(new PushRulesContributor(rules));
        return new Push(rules);
    }

    public void routes(Router router, Authenticator authenticator) {
        new PushRuleEndpoints(authenticator, rules).register(router);
    }

    @Override
    public void close() {
    }
}

package dev.myelin.server.push;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.sql.SqlPushRuleStore;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncContributor;
import dev.myelin.server.sync.SyncResponse;

/**
 * Puts the user's push rules in sync as the global account data event {@code m.push_rules} (spec: "Push Rules:
 * Events"): on an initial sync, and whenever the rules changed since the token.
 */
public final class PushRulesContributor implements SyncContributor {
    private final PushRuleService rules;

    public PushRulesContributor(PushRuleService rules) {
        this.rules = rules;
    }

    @Override
    public StreamName stream() {
        return SqlPushRuleStore.PUSH_RULES;
    }

    @Override
    public long currentPosition() {
        return rules.store().currentPosition();
    }

    @Override
    public long contribute(SyncContext context, long since, long upTo, SyncResponse response) {
        boolean changed = since < upTo
                && rules.store().lastChange(context.userId()).filter(pos -> pos > since).isPresent();
        if (context.initial() || changed) {
            response.addEvent("account_data", event(context.userId()));
        }
        return upTo;
    }

    /** The {@code m.push_rules} event: {"type": "m.push_rules", "content": {"global": {...}}}. */
    public ObjectNode event(String userId) {
        ObjectNode event = Json.MAPPER.createObjectNode().put("type", "m.push_rules");
        event.putObject("content").set("global", rules.ruleSet(userId).toJson());
        return event;
    }
}

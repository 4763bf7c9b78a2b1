package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.PushRuleStore;
import dev.myelin.server.storage.PushRuleStore.Placement;
import dev.myelin.server.storage.sql.SqlPushRuleStore;
import dev.myelin.server.sync.Notifier;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads and changes a user's push rules (spec: pushrules.yaml). Server-default rules can be enabled, disabled and
 * given other actions, never deleted or replaced. Rule sets are cached per user and dropped on each change here.
 */
public final class PushRuleService {
    private static final int MAX_CACHED = 10_000;

    private final PushRuleStore store;
    private final Notifier notifier;
    private final Map<String, PushRuleSet> cache = new ConcurrentHashMap<>();

    public PushRuleService(PushRuleStore store, Notifier notifier) {
        this.store = store;
        this.notifier = notifier;
    }

    public PushRuleStore store() {
        return store;
    }

    public PushRuleSet ruleSet(String userId) {
        PushRuleSet cached = cache.get(userId);
        if (cached != null) {
            return cached;
        }
        PushRuleStore.UserRules stored = store.rules(userId);
        var ruleSet = new PushRuleSet(userId, stored.rules(), stored.changes());
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(userId, ruleSet);
        return ruleSet;
    }

    public PushRule rule(String userId, PushRuleKind kind, String ruleId) {
        return ruleSet(userId).rule(kind, ruleId)
                .orElseThrow(() -> MatrixException.notFound("The push rule was not found"));
    }

    /** PUT /pushrules/global/{kind}/{ruleId}: creates or replaces a user rule (enabled unless it was disabled). */
    public void put(String userId, PushRule rule, String before, String after) {
        if (rule.ruleId().startsWith(".")) {
            throw MatrixException.invalidParam("Rule ids starting with '.' are reserved for server-default rules");
        }
        if (rule.ruleId().isEmpty() || rule.ruleId().contains("/") || rule.ruleId().contains("\\")) {
            throw MatrixException.invalidParam("Rule ids must be non-empty and contain no slash or backslash");
        }
        for (String anchor : new String[]{before, after}) {
            if (anchor != null && anchor.startsWith(".")) {
                throw MatrixException.invalidParam("Rules cannot be placed relative to a server-default rule");
            }
        }
        boolean enabled = ruleSet(userId).rule(rule.kind(), rule.ruleId()).map(PushRule::enabled).orElse(true);
        boolean placed = store.putRule(userId, rule.withEnabled(enabled), new Placement(before, after));
        if (!placed) {
            throw MatrixException.notFound("The 'before' or 'after' rule was not found");
        }
        changed(userId);
    }

    public void delete(String userId, PushRuleKind kind, String ruleId) {
        if (DefaultPushRules.exists(kind, ruleId)) {
            throw MatrixException.invalidParam("Server-default rules cannot be deleted");
        }
        if (!store.deleteRule(userId, kind, ruleId)) {
            throw MatrixException.notFound("The push rule was not found");
        }
        changed(userId);
    }

    public void setEnabled(String userId, PushRuleKind kind, String ruleId, boolean enabled) {
        update(userId, kind, ruleId, enabled, null);
    }

    public void setActions(String userId, PushRuleKind kind, String ruleId, ArrayNode actions) {
        update(userId, kind, ruleId, null, validActions(actions));
    }

    private void update(String userId, PushRuleKind kind, String ruleId, Boolean enabled, ArrayNode actions) {
        if (DefaultPushRules.exists(kind, ruleId)) {
            store.changeDefault(userId, ruleId, enabled, actions);
        } else if (!store.updateRule(userId, kind, ruleId, enabled, actions)) {
            throw MatrixException.notFound("The push rule was not found");
        }
        changed(userId);
    }

    /** Actions are "notify" (or the ignored historical strings) and {"set_tweak": name, ...} objects. */
    public static ArrayNode validActions(JsonNode actions) {
        if (actions == null || !actions.isArray()) {
            throw MatrixException.badJson("'actions' must be a list");
        }
        for (JsonNode action : actions) {
            boolean valid = action.isTextual()
                    ? List.of("notify", "dont_notify", "coalesce").contains(action.asText())
                    : action.isObject() && action.path("set_tweak").isTextual();
            if (!valid) {
                throw MatrixException.invalidParam("Unknown push rule action " + action);
            }
        }
        return (ArrayNode) actions.deepCopy();
    }

    private void changed(String userId) {
        cache.remove(userId);
        notifier.advanced(SqlPushRuleStore.PUSH_RULES, store.currentPosition(), List.of(userId));
    }
}

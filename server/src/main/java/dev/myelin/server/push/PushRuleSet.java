package dev.myelin.server.push;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A user's push rules: the server defaults with the user's changes to them, and the user's own rules, each kind in
 * priority order. {@code .m.rule.master} comes before everything; within a kind, user rules come before the
 * server defaults of that kind (spec: client-server-api "Predefined Rules").
 */
public final class PushRuleSet {
    private final Map<PushRuleKind, List<PushRule>> byKind = new EnumMap<>(PushRuleKind.class);

    /** A change the user made to a server-default rule: null fields keep the default. */
    public record DefaultChange(String ruleId, Boolean enabled, ArrayNode actions) {}

    /**
     * @param userRules user rules of each kind, most important first
     * @param changes   the user's changes to server-default rules, by rule id
     */
    public PushRuleSet(String userId, Map<PushRuleKind, List<PushRule>> userRules, Map<String, DefaultChange> changes) {
        for (PushRuleKind kind : PushRuleKind.values()) {
            var rules = new ArrayList<PushRule>();
            List<PushRule> defaults = DefaultPushRules.of(kind, userId).stream()
                    .map(rule -> apply(rule, changes.get(rule.ruleId()))).toList();
            if (kind == PushRuleKind.OVERRIDE) {
                defaults.stream().filter(r -> r.ruleId().equals(DefaultPushRules.MASTER)).forEach(rules::add);
            }
            rules.addAll(userRules.getOrDefault(kind, List.of()));
            defaults.stream().filter(r -> !r.ruleId().equals(DefaultPushRules.MASTER)).forEach(rules::add);
            byKind.put(kind, List.copyOf(rules));
        }
    }

    private static PushRule apply(PushRule rule, DefaultChange change) {
        if (change == null) {
            return rule;
        }
        PushRule changed = rule;
        if (change.enabled() != null) {
            changed = changed.withEnabled(change.enabled());
        }
        if (change.actions() != null) {
            changed = changed.withActions(change.actions());
        }
        return changed;
    }

    public List<PushRule> rules(PushRuleKind kind) {
        return byKind.get(kind);
    }

    public Optional<PushRule> rule(PushRuleKind kind, String ruleId) {
        return byKind.get(kind).stream().filter(rule -> rule.ruleId().equals(ruleId)).findFirst();
    }

    /** Every rule in the order they are checked. */
    public List<PushRule> ordered() {
        var all = new ArrayList<PushRule>();
        for (PushRuleKind kind : PushRuleKind.values()) {
            all.addAll(byKind.get(kind));
        }
        return all;
    }

    /** The {@code global} ruleset object: one array per kind (push_ruleset.yaml). */
    public ObjectNode toJson() {
        ObjectNode global = Json.MAPPER.createObjectNode();
        for (PushRuleKind kind : PushRuleKind.values()) {
            ArrayNode array = global.putArray(kind.value());
            byKind.get(kind).forEach(rule -> array.add(rule.toJson()));
        }
        return global;
    }
}

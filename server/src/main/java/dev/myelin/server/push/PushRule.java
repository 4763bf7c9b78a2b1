package dev.myelin.server.push;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;

/**
 * One push rule (spec: push_rule.yaml). {@code conditions} is set for override and underride rules (null
 * otherwise), {@code pattern} for content rules. Room and sender rules match by their rule id.
 */
public record PushRule(PushRuleKind kind, String ruleId, boolean isDefault, boolean enabled, ArrayNode conditions,
                       String pattern, ArrayNode actions) {

    public PushRule withEnabled(boolean value) {
        return new PushRule(kind, ruleId, isDefault, value, conditions, pattern, actions);
    }

    public PushRule withActions(ArrayNode value) {
        return new PushRule(kind, ruleId, isDefault, enabled, conditions, pattern, value);
    }

    /** The rule as clients see it in {@code m.push_rules} and the push rules API. */
    public ObjectNode toJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("rule_id", ruleId);
        json.put("default", isDefault);
        json.put("enabled", enabled);
        json.set("actions", actions.deepCopy());
        if (conditions != null) {
            json.set("conditions", conditions.deepCopy());
        }
        if (pattern != null) {
            json.put("pattern", pattern);
        }
        return json;
    }
}

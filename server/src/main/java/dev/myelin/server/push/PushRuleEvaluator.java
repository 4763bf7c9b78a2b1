package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/**
 * Finds the rule that applies to an event: the first enabled rule, in priority order, whose conditions all hold
 * (spec: client-server-api "Push Rules"). Content rules match {@code content.body} at word boundaries, room rules the
 * room id, sender rules the sender.
 */
public final class PushRuleEvaluator {
    private PushRuleEvaluator() {
    }

    /** The first rule of {@code rules} (already in priority order) that matches. */
    public static Optional<PushRule> firstMatch(List<PushRule> rules, JsonNode event, PushContext context) {
        for (PushRule rule : rules) {
            if (matches(rule, event, context)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    public static boolean matches(PushRule rule, JsonNode event, PushContext context) {
        if (!rule.enabled()) {
            return false;
        }
        return switch (rule.kind()) {
            case OVERRIDE, UNDERRIDE -> allHold(rule, event, context);
            case CONTENT -> rule.pattern() != null && PushConditions.matches(contentCondition(rule.pattern()),
                    event, context);
            case ROOM -> rule.ruleId().equals(event.path("room_id").asText(null));
            case SENDER -> rule.ruleId().equals(event.path("sender").asText(null));
        };
    }

    private static boolean allHold(PushRule rule, JsonNode event, PushContext context) {
        if (rule.conditions() == null) {
            return true;
        }
        for (JsonNode condition : rule.conditions()) {
            if (!PushConditions.matches(condition, event, context)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode contentCondition(String pattern) {
        return dev.myelin.server.http.Json.MAPPER.createObjectNode()
                .put("kind", "event_match").put("key", "content.body").put("pattern", pattern);
    }
}

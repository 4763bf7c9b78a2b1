package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The server-default rules of spec v1.19 ("Predefined Rules"), in the spec's order. Since v1.17 there are no
 * default content rules: the legacy rules matching the user name or display name in {@code body} were removed.
 * {@code .m.rule.master} is always checked first, even before user override rules; the other defaults come after
 * the user's rules of their kind.
 */
public final class DefaultPushRules {
    public static final String MASTER = ".m.rule.master";
    private static final String USER = "[the user's Matrix ID]";

    private static final String OVERRIDE = """
            [
              {"rule_id": ".m.rule.master", "enabled": false, "conditions": [], "actions": []},
              {"rule_id": ".m.rule.suppress_notices",
               "conditions": [{"kind": "event_match", "key": "content.msgtype", "pattern": "m.notice"}],
               "actions": []},
              {"rule_id": ".m.rule.invite_for_me",
               "conditions": [{"key": "type", "kind": "event_match", "pattern": "m.room.member"},
                              {"key": "content.membership", "kind": "event_match", "pattern": "invite"},
                              {"key": "state_key", "kind": "event_match", "pattern": "[the user's Matrix ID]"}],
               "actions": ["notify", {"set_tweak": "sound", "value": "default"}]},
              {"rule_id": ".m.rule.member_event",
               "conditions": [{"key": "type", "kind": "event_match", "pattern": "m.room.member"}],
               "actions": []},
              {"rule_id": ".m.rule.is_user_mention",
               "conditions": [{"kind": "event_property_contains", "key": "content.m\\\\.mentions.user_ids",
                               "value": "[the user's Matrix ID]"}],
               "actions": ["notify", {"set_tweak": "sound", "value": "default"}, {"set_tweak": "highlight"}]},
              {"rule_id": ".m.rule.is_room_mention",
               "conditions": [{"kind": "event_property_is", "key": "content.m\\\\.mentions.room", "value": true},
                              {"kind": "sender_notification_permission", "key": "room"}],
               "actions": ["notify", {"set_tweak": "highlight"}]},
              {"rule_id": ".m.rule.tombstone",
               "conditions": [{"kind": "event_match", "key": "type", "pattern": "m.room.tombstone"},
                              {"kind": "event_match", "key": "state_key", "pattern": ""}],
               "actions": ["notify", {"set_tweak": "highlight"}]},
              {"rule_id": ".m.rule.reaction",
               "conditions": [{"kind": "event_match", "key": "type", "pattern": "m.reaction"}],
               "actions": []},
              {"rule_id": ".m.rule.room.server_acl",
               "conditions": [{"kind": "event_match", "key": "type", "pattern": "m.room.server_acl"},
                              {"kind": "event_match", "key": "state_key", "pattern": ""}],
               "actions": []},
              {"rule_id": ".m.rule.suppress_edits",
               "conditions": [{"kind": "event_property_is", "key": "content.m\\\\.relates_to.rel_type",
                               "value": "m.replace"}],
               "actions": []}
            ]""";

    private static final String UNDERRIDE = """
            [
              {"rule_id": ".m.rule.call",
               "conditions": [{"key": "type", "kind": "event_match", "pattern": "m.call.invite"}],
               "actions": ["notify", {"set_tweak": "sound", "value": "ring"}]},
              {"rule_id": ".m.rule.encrypted_room_one_to_one",
               "conditions": [{"kind": "room_member_count", "is": "2"},
                              {"kind": "event_match", "key": "type", "pattern": "m.room.encrypted"}],
               "actions": ["notify", {"set_tweak": "sound", "value": "default"}]},
              {"rule_id": ".m.rule.room_one_to_one",
               "conditions": [{"kind": "room_member_count", "is": "2"},
                              {"kind": "event_match", "key": "type", "pattern": "m.room.message"}],
               "actions": ["notify", {"set_tweak": "sound", "value": "default"}]},
              {"rule_id": ".m.rule.message",
               "conditions": [{"kind": "event_match", "key": "type", "pattern": "m.room.message"}],
               "actions": ["notify"]},
              {"rule_id": ".m.rule.encrypted",
               "conditions": [{"kind": "event_match", "key": "type", "pattern": "m.room.encrypted"}],
               "actions": ["notify"]}
            ]""";

    private static final Map<PushRuleKind, ArrayNode> TEMPLATES = Map.of(
            PushRuleKind.OVERRIDE, parse(OVERRIDE), PushRuleKind.UNDERRIDE, parse(UNDERRIDE));

    private DefaultPushRules() {
    }

    private static ArrayNode parse(String json) {
        try {
            return (ArrayNode) Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The default rules of a kind for a user, in priority order. */
    public static List<PushRule> of(PushRuleKind kind, String userId) {
        ArrayNode template = TEMPLATES.get(kind);
        if (template == null) {
            return List.of();
        }
        var rules = new ArrayList<PushRule>();
        for (JsonNode rule : template) {
            ArrayNode conditions = rule.get("conditions").deepCopy();
            for (JsonNode condition : conditions) {
                ObjectNode object = (ObjectNode) condition;
                for (String field : List.of("pattern", "value")) {
                    if (USER.equals(object.path(field).asText(null))) {
                        object.put(field, userId);
                    }
                }
            }
            rules.add(new PushRule(kind, rule.get("rule_id").asText(), true, rule.path("enabled").asBoolean(true),
                    conditions, null, rule.get("actions").deepCopy()));
        }
        return rules;
    }

    /** Whether a default rule of this kind and id exists. */
    public static boolean exists(PushRuleKind kind, String ruleId) {
        ArrayNode template = TEMPLATES.get(kind);
        if (template == null) {
            return false;
        }
        for (JsonNode rule : template) {
            if (rule.get("rule_id").asText().equals(ruleId)) {
                return true;
            }
        }
        return false;
    }
}

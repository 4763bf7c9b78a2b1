package dev.myelin.spec.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The redaction algorithm of a room version (spec: rooms/v1 "Redactions", changed in v6, v8, v9
 * and v11), built from {@link RoomVersion#redaction()}: keeps the listed top-level keys and, per
 * event type, the listed content keys.
 *
 * <p>The result is a new object that shares the kept values with the input (no deep copy):
 * treat both as read-only afterwards.
 */
public final class Redactor {
    private static final Map<RoomVersion.RedactionRules, Redactor> BY_RULES = new ConcurrentHashMap<>();

    /** What of an event type's content survives. */
    private sealed interface ContentRule {
        record KeepAll() implements ContentRule {
        }

        /** Keeps these keys; for each key in {@code nested}, only its listed sub-keys. */
        record KeepKeys(Set<String> keys, Map<String, Set<String>> nested) implements ContentRule {
        }
    }

    private final Set<String> topLevelKeys;
    private final Map<String, ContentRule> contentRules;

    private Redactor(RoomVersion.RedactionRules rules) {
        Set<String> top = new HashSet<>(Set.of("event_id", "type", "room_id", "sender", "state_key", "content",
                "hashes", "signatures", "depth", "prev_events", "auth_events", "origin_server_ts"));
        if (!rules.v11Rules()) {
            top.addAll(Set.of("prev_state", "origin", "membership"));
        }
        this.topLevelKeys = Set.copyOf(top);

        Map<String, ContentRule> content = new HashMap<>();
        content.put("m.room.member", keep(
                Set.of("membership"),
                rules.keepJoinAuthorisedVia() ? Set.of("join_authorised_via_users_server") : Set.of(),
                rules.v11Rules() ? Map.of("third_party_invite", Set.of("signed")) : Map.of()));
        content.put("m.room.create", rules.v11Rules() ? new ContentRule.KeepAll() : keep(Set.of("creator")));
        content.put("m.room.join_rules", keep(
                Set.of("join_rule"), rules.keepJoinRulesAllow() ? Set.of("allow") : Set.of(), Map.of()));
        content.put("m.room.power_levels", keep(
                Set.of("ban", "events", "events_default", "kick", "redact", "state_default", "users", "users_default"),
                rules.v11Rules() ? Set.of("invite") : Set.of(), Map.of()));
        content.put("m.room.history_visibility", keep(Set.of("history_visibility")));
        if (rules.keepAliasesContent()) {
            content.put("m.room.aliases", keep(Set.of("aliases")));
        }
        if (rules.v11Rules()) {
            content.put("m.room.redaction", keep(Set.of("redacts")));
        }
        this.contentRules = Map.copyOf(content);
    }

    private static ContentRule keep(Set<String> keys) {
        return new ContentRule.KeepKeys(keys, Map.of());
    }

    private static ContentRule keep(Set<String> keys, Set<String> moreKeys, Map<String, Set<String>> nested) {
        Set<String> all = new HashSet<>(keys);
        all.addAll(moreKeys);
        return new ContentRule.KeepKeys(Set.copyOf(all), nested);
    }

    public static Redactor forVersion(RoomVersion version) {
        return BY_RULES.computeIfAbsent(version.redaction(), Redactor::new);
    }

    /** Convenience for {@code forVersion(version).redact(event)}. */
    public static ObjectNode redact(ObjectNode event, RoomVersion version) {
        return forVersion(version).redact(event);
    }

    /** Returns the redacted form of the event; the input is left unchanged. */
    public ObjectNode redact(ObjectNode event) {
        ObjectNode redacted = event.objectNode();
        for (Map.Entry<String, JsonNode> entry : event.properties()) {
            if (topLevelKeys.contains(entry.getKey()) && !entry.getKey().equals("content")) {
                redacted.set(entry.getKey(), entry.getValue());
            }
        }
        JsonNode type = event.get("type");
        ContentRule rule = type != null && type.isTextual() ? contentRules.get(type.textValue()) : null;
        redacted.set("content", redactContent(event.get("content"), rule, event));
        return redacted;
    }

    private static ObjectNode redactContent(JsonNode content, ContentRule rule, ObjectNode factory) {
        ObjectNode kept = factory.objectNode();
        if (!(content instanceof ObjectNode original) || rule == null) {
            return kept;
        }
        switch (rule) {
            case ContentRule.KeepAll() -> kept.setAll(original);
            case ContentRule.KeepKeys(Set<String> keys, Map<String, Set<String>> nested) -> {
                for (Map.Entry<String, JsonNode> entry : original.properties()) {
                    if (keys.contains(entry.getKey())) {
                        kept.set(entry.getKey(), entry.getValue());
                    }
                }
                nested.forEach((key, subKeys) -> {
                    if (original.get(key) instanceof ObjectNode inner) {
                        ObjectNode keptInner = factory.objectNode();
                        for (String subKey : subKeys) {
                            if (inner.has(subKey)) {
                                keptInner.set(subKey, inner.get(subKey));
                            }
                        }
                        if (!keptInner.isEmpty()) {
                            kept.set(key, keptInner);
                        }
                    }
                });
            }
        }
        return kept;
    }
}

package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;

/**
 * The actions of the rule that matched an event (spec: client-server-api "Actions"): whether it notifies, whether it
 * highlights, and the tweaks for the push gateway. The historical {@code dont_notify} and {@code coalesce} are
 * dropped.
 */
public record PushActions(ArrayNode actions, boolean notifies, boolean highlight, ObjectNode tweaks) {

    public static PushActions of(ArrayNode actions) {
        ArrayNode kept = Json.MAPPER.createArrayNode();
        ObjectNode tweaks = Json.MAPPER.createObjectNode();
        boolean notify = false;
        boolean highlight = false;
        for (JsonNode action : actions) {
            if (action.isTextual()) {
                String name = action.asText();
                if (name.equals("dont_notify") || name.equals("coalesce")) {
                    continue;
                }
                notify |= name.equals("notify");
            } else if (action.isObject() && action.path("set_tweak").isTextual()) {
                String tweak = action.get("set_tweak").asText();
                // A highlight tweak without a value means true.
                JsonNode value = action.has("value") ? action.get("value")
                        : tweak.equals("highlight") ? Json.MAPPER.getNodeFactory().booleanNode(true) : null;
                if (value != null) {
                    tweaks.set(tweak, value);
                }
                if (tweak.equals("highlight")) {
                    highlight = value != null && value.isBoolean() && value.asBoolean();
                }
            }
            kept.add(action);
        }
        return new PushActions(kept, notify, highlight, tweaks);
    }
}

package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.push.PushRule;
import dev.myelin.server.push.PushRuleKind;
import dev.myelin.server.push.PushRuleService;

import java.util.Map;

/** The push rules API (spec: pushrules.yaml): the only scope is {@code global}. */
public final class PushRuleEndpoints {
    private final Authenticator authenticator;
    private final PushRuleService rules;

    public PushRuleEndpoints(Authenticator authenticator, PushRuleService rules) {
        this.authenticator = authenticator;
        this.rules = rules;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("GET", v3, "/pushrules", this::all);
        router.add("GET", v3, "/pushrules/", this::all);
        router.add("GET", v3, "/pushrules/{scope}/", this::global);
        router.add("GET", v3, "/pushrules/{scope}/{kind}/{ruleId}", this::get);
        router.add("PUT", v3, "/pushrules/{scope}/{kind}/{ruleId}", this::put);
        router.add("DELETE", v3, "/pushrules/{scope}/{kind}/{ruleId}", this::delete);
        router.add("GET", v3, "/pushrules/{scope}/{kind}/{ruleId}/enabled", this::getEnabled);
        router.add("PUT", v3, "/pushrules/{scope}/{kind}/{ruleId}/enabled", this::putEnabled);
        router.add("GET", v3, "/pushrules/{scope}/{kind}/{ruleId}/actions", this::getActions);
        router.add("PUT", v3, "/pushrules/{scope}/{kind}/{ruleId}/actions", this::putActions);
    }

    private MatrixResponse all(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(Map.of("global", rules.ruleSet(requester.userId()).toJson()));
    }

    private MatrixResponse global(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        scope(request);
        return MatrixResponse.ok(rules.ruleSet(requester.userId()).toJson());
    }

    private static void scope(MatrixRequest request) {
        if (!"global".equals(request.pathParam("scope"))) {
            throw MatrixException.invalidParam("The only push rule scope is 'global'");
        }
    }

    private static PushRuleKind kind(MatrixRequest request) {
        scope(request);
        String kind = request.pathParam("kind");
        return PushRuleKind.of(kind).orElseThrow(() -> MatrixException.invalidParam("Unknown push rule kind " + kind));
    }

    private MatrixResponse get(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        return MatrixResponse.ok(rules.rule(requester.userId(), kind(request), request.pathParam("ruleId")).toJson());
    }

    private MatrixResponse put(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        PushRuleKind kind = kind(request);
        String ruleId = request.pathParam("ruleId");
        ObjectNode body = request.jsonObject();
        JsonNode actionsNode = body.get("actions");
        if (actionsNode == null) {
            throw MatrixException.missingParam("Missing 'actions'");
        }
        ArrayNode actions = PushRuleService.validActions(actionsNode);
        ArrayNode conditions = null;
        String pattern = null;
        switch (kind) {
            case OVERRIDE, UNDERRIDE -> conditions = conditions(body.get("conditions"));
            case CONTENT -> pattern = Fields.requiredString(body, "pattern");
            case ROOM, SENDER -> { }
        }
        var rule = new PushRule(kind, ruleId, false, true, conditions, pattern, actions);
        rules.put(requester.userId(), rule, request.query("before").orElse(null),
                request.query("after").orElse(null));
        return MatrixResponse.empty();
    }

    private static ArrayNode conditions(JsonNode node) {
        if (node == null || node.isNull()) {
            return Json.MAPPER.createArrayNode();
        }
        if (!node.isArray()) {
            throw MatrixException.badJson("'conditions' must be a list");
        }
        for (JsonNode condition : node) {
            if (!condition.isObject() || !condition.path("kind").isTextual()) {
                throw MatrixException.badJson("Each condition must be an object with a 'kind'");
            }
        }
        return (ArrayNode) node.deepCopy();
    }

    private MatrixResponse delete(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        rules.delete(requester.userId(), kind(request), request.pathParam("ruleId"));
        return MatrixResponse.empty();
    }

    private MatrixResponse getEnabled(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        PushRule rule = rules.rule(requester.userId(), kind(request), request.pathParam("ruleId"));
        return MatrixResponse.ok(Map.of("enabled", rule.enabled()));
    }

    private MatrixResponse putEnabled(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        PushRuleKind kind = kind(request);
        boolean enabled = Fields.requiredBool(request.jsonObject(), "enabled");
        String ruleId = request.pathParam("ruleId");
        rules.rule(requester.userId(), kind, ruleId);
        rules.setEnabled(requester.userId(), kind, ruleId, enabled);
        return MatrixResponse.empty();
    }

    private MatrixResponse getActions(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        PushRule rule = rules.rule(requester.userId(), kind(request), request.pathParam("ruleId"));
        return MatrixResponse.ok(Map.of("actions", rule.actions()));
    }

    private MatrixResponse putActions(MatrixRequest request) throws Exception {
        Requester requester = authenticator.require(request);
        PushRuleKind kind = kind(request);
        ObjectNode body = request.jsonObject();
        if (!body.has("actions")) {
            throw MatrixException.missingParam("Missing 'actions'");
        }
        String ruleId = request.pathParam("ruleId");
        rules.rule(requester.userId(), kind, ruleId);
        rules.setActions(requester.userId(), kind, ruleId, (ArrayNode) PushRuleService.validActions(body.get("actions")));
        return MatrixResponse.empty();
    }
}

package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.myelin.server.http.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Push conditions and rule evaluation against the spec's examples (client-server-api "Conditions"). */
class PushRuleEvaluatorTest {
    private static final String ALICE = "@alice:example.org";
    private static final PushContext CONTEXT = new PushContext(ALICE, "Alice Liddell", 5, 0, null);

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static boolean holds(String condition, String event) {
        return holds(condition, event, CONTEXT);
    }

    static boolean holds(String condition, String event, PushContext context) {
        return PushConditions.matches(json(condition), json(event), context);
    }

    static String topic(String topic) {
        return "{'type':'m.room.topic','state_key':'','content':{'topic':" + topic + "}}";
    }

    static String body(String body) {
        return "{'type':'m.room.message','sender':'@bob:example.org','content':{'body':'" + body + "'}}";
    }

    @Test
    void eventMatchIsAWholeValueCaseInsensitiveGlob() {
        String lunch = "{'kind':'event_match','key':'content.topic','pattern':'lunc?*'}";
        assertThat(holds(lunch, topic("'Lunch plans'"))).isTrue();
        assertThat(holds(lunch, topic("'LUNCH'"))).isTrue();
        assertThat(holds(lunch, topic("' lunch'"))).isFalse();
        assertThat(holds(lunch, topic("'lunc'"))).isFalse();
        assertThat(holds(lunch, topic("null"))).isFalse();
        assertThat(holds("{'kind':'event_match','key':'content.missing','pattern':'*'}", topic("'x'"))).isFalse();
        assertThat(holds("{'kind':'event_match','key':'state_key','pattern':''}", topic("'x'"))).isTrue();
        assertThat(holds("{'kind':'event_match','key':'type','pattern':'m.room.*'}", topic("'x'"))).isTrue();
        assertThat(holds("{'kind':'event_match','key':'type','pattern':'m.room.[a-z]'}", topic("'x'"))).isFalse();
    }

    @Test
    void bodyMatchesAnySubstringBetweenWordBoundaries() {
        String example = "{'kind':'event_match','key':'content.body','pattern':'ex*ple'}";
        assertThat(holds(example, body("An example event."))).isTrue();
        assertThat(holds(example, body("exple"))).isTrue();
        assertThat(holds(example, body("An exciting triple-whammy"))).isTrue();
        assertThat(holds(example, body("Anexample"))).isFalse();
        assertThat(holds(example, body("examples_"))).isFalse();
        assertThat(holds("{'kind':'event_match','key':'content.body','pattern':'cake'}", body("I like CAKE!"))).isTrue();
    }

    @Test
    void dottedPathsEscapeDotsAndBackslashes() {
        assertThat(DottedPath.parse("content.m\\.relates_to.rel_type").segments())
                .containsExactly("content", "m.relates_to", "rel_type");
        assertThat(DottedPath.parse("content.m\\\\foo").segments()).containsExactly("content", "m\\foo");
        assertThat(DottedPath.parse("content.m\\xfoo").segments()).containsExactly("content", "m\\xfoo");
        String create = "{'type':'m.room.create','state_key':'','content':{'m.federate':true,'n':1,'s':'true'}}";
        assertThat(holds("{'kind':'event_property_is','key':'content.m\\\\.federate','value':true}", create)).isTrue();
        assertThat(holds("{'kind':'event_property_is','key':'content.s','value':true}", create)).isFalse();
        assertThat(holds("{'kind':'event_property_is','key':'content.n','value':true}", create)).isFalse();
        assertThat(holds("{'kind':'event_property_is','key':'content.n','value':1}", create)).isTrue();
    }

    @Test
    void propertyContainsMatchesArrayElementsExactly() {
        String event = "{'type':'m.room.canonical_alias','content':{'alt_aliases':['#somewhere:example.org',"
                + "'#myroom:example.com', {'x':1}]}}";
        assertThat(holds("{'kind':'event_property_contains','key':'content.alt_aliases',"
                + "'value':'#myroom:example.com'}", event)).isTrue();
        assertThat(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':':example.com'}",
                event)).isFalse();
        assertThat(holds("{'kind':'event_property_contains','key':'type','value':'m.room.canonical_alias'}",
                event)).isFalse();
    }

    @Test
    void displayNameMemberCountAndSenderPermission() {
        String condition = "{'kind':'contains_display_name'}";
        assertThat(holds(condition, body("hey alice liddell, lunch?"))).isTrue();
        assertThat(holds(condition, body("hey alice"))).isFalse();
        assertThat(holds(condition, body("x"), new PushContext(ALICE, null, 2, 0, null))).isFalse();

        assertThat(PushConditions.memberCount("2", 2)).isTrue();
        assertThat(PushConditions.memberCount("==2", 3)).isFalse();
        assertThat(PushConditions.memberCount("<10", 9)).isTrue();
        assertThat(PushConditions.memberCount("<10", 10)).isFalse();
        assertThat(PushConditions.memberCount("<=10", 10)).isTrue();
        assertThat(PushConditions.memberCount(">1", 2)).isTrue();
        assertThat(PushConditions.memberCount(">=3", 2)).isFalse();
        assertThat(PushConditions.memberCount("~3", 3)).isFalse();

        String permission = "{'kind':'sender_notification_permission','key':'room'}";
        assertThat(holds(permission, body("x"), new PushContext(ALICE, null, 2, 50, null))).isTrue();
        assertThat(holds(permission, body("x"), new PushContext(ALICE, null, 2, 49, null))).isFalse();
        assertThat(holds(permission, body("x"), new PushContext(ALICE, null, 2, 10, json("{'room':10}")))).isTrue();
        assertThat(holds("{'kind':'something_new'}", body("x"))).isFalse();
    }

    static PushActions evaluate(PushRuleSet rules, String event, PushContext context) {
        return PushRuleEvaluator.firstMatch(rules.ordered(), json(event), context)
                .map(rule -> PushActions.of(rule.actions()))
                .orElse(PushActions.of(Json.MAPPER.createArrayNode()));
    }

    @Test
    void defaultRulesNotifyMessagesAndHighlightMentions() {
        var rules = new PushRuleSet(ALICE, Map.of(), Map.of());
        assertThat(rules.rules(PushRuleKind.OVERRIDE)).extracting(PushRule::ruleId).containsExactly(
                ".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me", ".m.rule.member_event",
                ".m.rule.is_user_mention", ".m.rule.is_room_mention", ".m.rule.tombstone", ".m.rule.reaction",
                ".m.rule.room.server_acl", ".m.rule.suppress_edits");
        assertThat(rules.rules(PushRuleKind.CONTENT)).isEmpty();
        assertThat(rules.rules(PushRuleKind.UNDERRIDE)).extracting(PushRule::ruleId).containsExactly(
                ".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one", ".m.rule.message",
                ".m.rule.encrypted");

        PushActions message = evaluate(rules, body("hello"), CONTEXT);
        assertThat(message.notifies()).isTrue();
        assertThat(message.highlight()).isFalse();

        PushActions oneToOne = evaluate(rules, body("hello"), new PushContext(ALICE, null, 2, 0, null));
        assertThat(oneToOne.tweaks().path("sound").asText()).isEqualTo("default");

        String mention = "{'type':'m.room.message','sender':'@bob:example.org','content':{'body':'hi',"
                + "'m.mentions':{'user_ids':['" + ALICE + "']}}}";
        PushActions mentioned = evaluate(rules, mention, CONTEXT);
        assertThat(mentioned.notifies()).isTrue();
        assertThat(mentioned.highlight()).isTrue();

        String roomMention = "{'type':'m.room.message','sender':'@bob:example.org','content':{'body':'hi',"
                + "'m.mentions':{'room':true}}}";
        assertThat(evaluate(rules, roomMention, new PushContext(ALICE, null, 5, 50, null)).highlight()).isTrue();
        assertThat(evaluate(rules, roomMention, new PushContext(ALICE, null, 5, 0, null)).highlight()).isFalse();

        String notice = "{'type':'m.room.message','content':{'msgtype':'m.notice','body':'bot'}}";
        assertThat(evaluate(rules, notice, CONTEXT).notifies()).isFalse();
        String invite = "{'type':'m.room.member','state_key':'" + ALICE + "','content':{'membership':'invite'}}";
        assertThat(evaluate(rules, invite, CONTEXT).notifies()).isTrue();
        String join = "{'type':'m.room.member','state_key':'@bob:example.org','content':{'membership':'join'}}";
        assertThat(evaluate(rules, join, CONTEXT).notifies()).isFalse();
        String edit = "{'type':'m.room.message','content':{'body':'* x','m.relates_to':{'rel_type':'m.replace'}}}";
        assertThat(evaluate(rules, edit, CONTEXT).notifies()).isFalse();
        assertThat(evaluate(rules, "{'type':'m.room.tombstone','state_key':'','content':{}}", CONTEXT).highlight())
                .isTrue();
    }

    @Test
    void masterComesFirstAndUserRulesBeforeDefaults() {
        ArrayNode none = Json.MAPPER.createArrayNode();
        var quietRoom = new PushRule(PushRuleKind.ROOM, "!quiet:example.org", false, true, null, null, none);
        var cake = new PushRule(PushRuleKind.CONTENT, "cake", false, true, null, "cake",
                (ArrayNode) json("['notify',{'set_tweak':'highlight'}]"));
        var rules = new PushRuleSet(ALICE, Map.of(PushRuleKind.ROOM, List.of(quietRoom),
                PushRuleKind.CONTENT, List.of(cake)), Map.of());
        String inQuiet = "{'type':'m.room.message','room_id':'!quiet:example.org','content':{'body':'hi'}}";
        assertThat(evaluate(rules, inQuiet, CONTEXT).notifies()).isFalse();
        assertThat(evaluate(rules, body("cake time"), CONTEXT).highlight()).isTrue();

        var muted = new PushRuleSet(ALICE, Map.of(), Map.of(DefaultPushRules.MASTER,
                new PushRuleSet.DefaultChange(DefaultPushRules.MASTER, true, null)));
        assertThat(evaluate(muted, body("cake"), CONTEXT).notifies()).isFalse();
        assertThat(muted.rule(PushRuleKind.OVERRIDE, DefaultPushRules.MASTER).orElseThrow().enabled()).isTrue();
    }

    @Test
    void historicalActionsAreDropped() {
        PushActions actions = PushActions.of((ArrayNode) json("['dont_notify','coalesce']"));
        assertThat(actions.actions()).isEmpty();
        assertThat(actions.notifies()).isFalse();
        PushActions tweaks = PushActions.of((ArrayNode) json("['notify',{'set_tweak':'highlight','value':false}]"));
        assertThat(tweaks.highlight()).isFalse();
        assertThat(tweaks.tweaks().path("highlight").asBoolean(true)).isFalse();
    }
}

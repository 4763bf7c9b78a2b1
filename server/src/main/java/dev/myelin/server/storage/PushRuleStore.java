package dev.myelin.server.storage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.myelin.server.push.PushRule;
import dev.myelin.server.push.PushRuleKind;
import dev.myelin.server.push.PushRuleSet.DefaultChange;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each user's push rules: the rules they created, in priority order per kind, and their changes to server-default
 * rules. Every change moves the user onto the {@code push_rules} stream, so sync sends {@code m.push_rules} again.
 */
public interface PushRuleStore {

    /** A user's stored rules: user rules per kind (most important first) and changes to defaults by rule id. */
    record UserRules(Map<PushRuleKind, List<PushRule>> rules, Map<String, DefaultChange> changes) {}

    /** Where {@link #putRule} places a rule it creates or moves: next to another user rule, or first. */
    record Placement(String before, String after) {
        public static final Placement FIRST = new Placement(null, null);
    }

    UserRules rules(String userId);

    /**
     * Creates or replaces a user rule. A new rule, or any rule given a {@code before}/{@code after}, is placed
     * there; a replaced rule without one keeps its place.
     *
     * @return false (and nothing written) when the {@code before} or {@code after} rule does not exist
     */
    boolean putRule(String userId, PushRule rule, Placement placement);

    boolean deleteRule(String userId, PushRuleKind kind, String ruleId);

    /** Sets {@code enabled} or {@code actions} (null keeps it) of a user rule; false when it does not exist. */
    boolean updateRule(String userId, PushRuleKind kind, String ruleId, Boolean enabled, ArrayNode actions);

    /** Sets the user's change to a server-default rule (null fields keep what was set before). */
    void changeDefault(String userId, String ruleId, Boolean enabled, ArrayNode actions);

    /** The position of the user's last change on the {@code push_rules} stream, if any. */
    Optional<Long> lastChange(String userId);

    long currentPosition();
}

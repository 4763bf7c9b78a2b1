package dev.myelin.server.storage.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.push.PushRule;
import dev.myelin.server.push.PushRuleKind;
import dev.myelin.server.push.PushRuleSet.DefaultChange;
import dev.myelin.server.storage.PushRuleStore;
import dev.myelin.server.storage.StorageException;
import dev.myelin.server.storage.StreamName;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Push rules in SQL. A rule that is placed rewrites the priorities of its kind (a user has few rules). */
public final class SqlPushRuleStore implements PushRuleStore {
    public static final StreamName PUSH_RULES = StreamName.of("push_rules");

    private final Database database;

    public SqlPushRuleStore(Database database) {
        this.database = database;
    }

    static ArrayNode array(String json) {
        if (json == null) {
            return null;
        }
        try {
            return (ArrayNode) Json.MAPPER.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new StorageException("stored push rule JSON is not an array: " + json, e);
        }
    }

    private static PushRule rule(ResultSet row) throws SQLException {
        return new PushRule(PushRuleKind.of(row.getString("kind")).orElseThrow(), row.getString("rule_id"), false,
                row.getBoolean("enabled"), array(row.getString("conditions")), row.getString("pattern"),
                array(row.getString("actions")));
    }

    private static DefaultChange defaultChange(ResultSet row) throws SQLException {
        boolean enabled = row.getBoolean("enabled");
        Boolean set = row.wasNull() ? null : enabled;
        return new DefaultChange(row.getString("rule_id"), set,
                array(row.getString("actions")));
    }

    @Override
    public UserRules rules(String userId) {
        return database.read(c -> {
            Map<PushRuleKind, List<PushRule>> rules = new EnumMap<>(PushRuleKind.class);
            for (PushRule rule : Jdbc.query(c, "SELECT * FROM push_rules WHERE user_id = ? ORDER BY kind, priority",
                    SqlPushRuleStore::rule, userId)) {
                rules.computeIfAbsent(rule.kind(), _ -> new ArrayList<>()).add(rule);
            }
            Map<String, DefaultChange> changes = new HashMap<>();
            for (DefaultChange change : Jdbc.query(c, "SELECT * FROM push_rule_defaults WHERE user_id = ?",
                    SqlPushRuleStore::defaultChange, userId)) {
                changes.put(change.ruleId(), change);
            }
            return new UserRules(rules, changes);
        });
    }

    @Override
    public boolean putRule(String userId, PushRule rule, Placement placement) {
        return database.write(c -> {
            List<String> order = new ArrayList<>(Jdbc.query(c,
                    "SELECT rule_id FROM push_rules WHERE user_id = ? AND kind = ? ORDER BY priority",
                    row -> row.getString(1), userId, rule.kind().value()));
            boolean existed = order.remove(rule.ruleId());
            boolean placed = placement.before() != null || placement.after() != null;
            if (placement.before() != null && !order.contains(placement.before())
                    || placement.after() != null && !order.contains(placement.after())) {
                return false;
            }
            if (placed) {
                // With both, the rule goes just before 'before' (spec: setPushRule).
                int index = placement.before() != null ? order.indexOf(placement.before())
                        : order.indexOf(placement.after()) + 1;
                order.add(index, rule.ruleId());
            } else if (existed) {
                order = null;
            } else {
                order.addFirst(rule.ruleId());
            }
            Jdbc.update(c, """
                    INSERT INTO push_rules (user_id, kind, rule_id, priority, conditions, pattern, actions, enabled)
                    VALUES (?, ?, ?, 0, ?, ?, ?, ?)
                    ON CONFLICT (user_id, kind, rule_id) DO UPDATE SET conditions = excluded.conditions,
                        pattern = excluded.pattern, actions = excluded.actions, enabled = excluded.enabled""",
                    userId, rule.kind().value(), rule.ruleId(),
                    rule.conditions() == null ? null : rule.conditions().toString(), rule.pattern(),
                    rule.actions().toString(), rule.enabled());
            if (order != null) {
                for (int i = 0; i < order.size(); i++) {
                    Jdbc.update(c, "UPDATE push_rules SET priority = ? WHERE user_id = ? AND kind = ? AND rule_id = ?",
                            i, userId, rule.kind().value(), order.get(i));
                }
            }
            changed(c, userId);
            return true;
        });
    }

    @Override
    public boolean deleteRule(String userId, PushRuleKind kind, String ruleId) {
        return database.write(c -> {
            boolean deleted = Jdbc.update(c, "DELETE FROM push_rules WHERE user_id = ? AND kind = ? AND rule_id = ?",
                    userId, kind.value(), ruleId) > 0;
            if (deleted) {
                changed(c, userId);
            }
            return deleted;
        });
    }

    @Override
    public boolean updateRule(String userId, PushRuleKind kind, String ruleId, Boolean enabled, ArrayNode actions) {
        return database.write(c -> {
            boolean updated = Jdbc.update(c, """
                    UPDATE push_rules SET enabled = COALESCE(?, enabled), actions = COALESCE(?, actions)
                    WHERE user_id = ? AND kind = ? AND rule_id = ?""",
                    enabled, actions == null ? null : actions.toString(), userId, kind.value(), ruleId) > 0;
            if (updated) {
                changed(c, userId);
            }
            return updated;
        });
    }

    @Override
    public void changeDefault(String userId, String ruleId, Boolean enabled, ArrayNode actions) {
        database.write(c -> {
            Jdbc.update(c, """
                    INSERT INTO push_rule_defaults (user_id, rule_id, enabled, actions) VALUES (?, ?, ?, ?)
                    ON CONFLICT (user_id, rule_id) DO UPDATE SET
                        enabled = COALESCE(excluded.enabled, push_rule_defaults.enabled),
                        actions = COALESCE(excluded.actions, push_rule_defaults.actions)""",
                    userId, ruleId, enabled, actions == null ? null : actions.toString());
            changed(c, userId);
            return null;
        });
    }

    private static void changed(Connection c, String userId) throws SQLException {
        long pos = SqlStreamPositions.next(c, PUSH_RULES);
        Jdbc.update(c, """
                INSERT INTO push_rules_changes (user_id, stream_pos) VALUES (?, ?)
                ON CONFLICT (user_id) DO UPDATE SET stream_pos = excluded.stream_pos""", userId, pos);
    }

    @Override
    public Optional<Long> lastChange(String userId) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT stream_pos FROM push_rules_changes WHERE user_id = ?",
                row -> row.getLong(1), userId));
    }

    @Override
    public long currentPosition() {
        return database.read(c -> SqlStreamPositions.current(c, PUSH_RULES));
    }
}

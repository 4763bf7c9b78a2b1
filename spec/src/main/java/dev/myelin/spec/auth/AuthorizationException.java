package dev.myelin.spec.auth;

/** An event failed the authorization rules. Carries no stack trace: rejection is a normal outcome. */
public final class AuthorizationException extends Exception {
    private final AuthRule rule;

    public AuthorizationException(AuthRule rule, String detail) {
        super(rule.description() + (detail == null ? "" : ": " + detail), null, false, false);
        this.rule = rule;
    }

    public AuthRule rule() { return rule; }
}

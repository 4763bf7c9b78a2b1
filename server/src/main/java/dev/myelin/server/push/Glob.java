package dev.myelin.server.push;

import java.util.regex.Pattern;

/**
 * Glob patterns of push rules (spec: appendices "Glob-style matching"): {@code *} is any run of characters,
 * {@code ?} exactly one; everything else is literal. Matching is case-insensitive (Unicode case folding).
 */
public final class Glob {
    private Glob() {
    }

    /** A pattern that must match the whole value. */
    public static Pattern whole(String glob) {
        return Pattern.compile(regex(glob), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    /**
     * A pattern that must match a substring starting and ending at word boundaries, where a boundary is the start or
     * end of the value or a character other than {@code [A-Za-z0-9_]} (the special case of {@code content.body}).
     */
    public static Pattern words(String glob) {
        return wordsOf(regex(glob));
    }

    /** Like {@link #words} for a literal text (a display name), in which {@code *} and {@code ?} are literal. */
    public static Pattern literalWords(String text) {
        return wordsOf(Pattern.quote(text));
    }

    private static Pattern wordsOf(String regex) {
        return Pattern.compile("(?:^|[^A-Za-z0-9_])" + regex + "(?:$|[^A-Za-z0-9_])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    private static String regex(String glob) {
        var regex = new StringBuilder();
        var literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*?" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return regex.toString();
    }
}

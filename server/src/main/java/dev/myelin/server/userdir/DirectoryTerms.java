package dev.myelin.server.userdir;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The words of user ids, display names and search terms: lower-cased runs of letters and digits. "@alice.smith:
 * example.org" has the words alice, smith, example and org; a search for "Alice Sm" matches it because each of its
 * words is a prefix of one of them.
 */
public final class DirectoryTerms {
    /** Words longer than this are cut, so an index entry stays small. */
    static final int MAX_WORD_LENGTH = 64;

    private DirectoryTerms() {}

    public static List<String> words(String text) {
        var words = new LinkedHashSet<String>();
        if (text == null) {
            return List.of();
        }
        String lower = text.toLowerCase(Locale.ROOT);
        var word = new StringBuilder();
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else {
                add(words, word);
            }
        }
        add(words, word);
        return new ArrayList<>(words);
    }

    private static void add(LinkedHashSet<String> words, StringBuilder word) {
        if (!word.isEmpty()) {
            String text = word.toString();
            words.add(text.length() > MAX_WORD_LENGTH ? text.substring(0, MAX_WORD_LENGTH) : text);
            word.setLength(0);
        }
    }

    /** The words of a user id and a display name together. */
    public static List<String> ofUser(String userId, String displayName) {
        var all = new LinkedHashSet<>(words(userId));
        all.addAll(words(displayName));
        return new ArrayList<>(all);
    }
}

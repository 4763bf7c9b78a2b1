package dev.myelin.spec.json;

import java.util.Comparator;

/**
 * Orders strings by Unicode code point, as canonical JSON sorts keys (spec: appendices "Canonical
 * JSON"). {@link String#compareTo} compares UTF-16 code units instead, which puts supplementary
 * characters (surrogates D800-DFFF) before U+E000..U+FFFF; this comparator moves them after.
 */
public final class CodePointOrder implements Comparator<String> {
    public static final CodePointOrder INSTANCE = new CodePointOrder();

    private CodePointOrder() {
    }

    @Override
    public int compare(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return rank(x) - rank(y);
            }
        }
        return a.length() - b.length();
    }

    /** Lifts surrogates above all other BMP code units; order within each group is kept. */
    private static int rank(char c) {
        return c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE ? c + 0x10000 : c;
    }
}

package dev.myelin.spec.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnpaddedBase64Test {
    /** Spec appendices "Unpadded Base64" examples. */
    @ParameterizedTest
    @CsvSource(value = {"'',''", "f,Zg", "fo,Zm8", "foo,Zm9v", "foob,Zm9vYg", "fooba,Zm9vYmE", "foobar,Zm9vYmFy"})
    void specExamples(String plain, String encoded) {
        byte[] bytes = plain.getBytes(StandardCharsets.US_ASCII);
        assertThat(UnpaddedBase64.encode(bytes)).isEqualTo(encoded);
        assertThat(UnpaddedBase64.decode(encoded)).isEqualTo(bytes);
    }

    @Test
    void decodeAcceptsPadding() {
        assertThat(UnpaddedBase64.decode("Zg==")).containsExactly('f');
        assertThat(UnpaddedBase64.decode("Zm8=")).containsExactly('f', 'o');
        assertThat(UnpaddedBase64.decodeUrlSafe("-_8=")).containsExactly(0xFB, 0xFF);
    }

    @Test
    void urlSafeUsesMinusAndUnderscore() {
        byte[] bytes = {(byte) 0xFB, (byte) 0xFF, (byte) 0xFF};
        assertThat(UnpaddedBase64.encode(bytes)).isEqualTo("+///");
        assertThat(UnpaddedBase64.encodeUrlSafe(bytes)).isEqualTo("-___");
        assertThat(UnpaddedBase64.decodeUrlSafe("-___")).isEqualTo(bytes);
    }

    @Test
    void rejectsMalformedInput() {
        assertThatThrownBy(() -> UnpaddedBase64.decode("Z")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnpaddedBase64.decode("Zm9v!")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnpaddedBase64.decode("-___")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnpaddedBase64.decodeUrlSafe("+///")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksAlphabets() {
        assertThat(UnpaddedBase64.isStandardAlphabet("ab+/09")).isTrue();
        assertThat(UnpaddedBase64.isStandardAlphabet("ab-_")).isFalse();
        assertThat(UnpaddedBase64.isUrlSafeAlphabet("ab-_09")).isTrue();
        assertThat(UnpaddedBase64.isUrlSafeAlphabet("ab+")).isFalse();
    }
}

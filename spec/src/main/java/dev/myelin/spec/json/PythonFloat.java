package dev.myelin.spec.json;

import java.math.BigDecimal;

/**
 * Formats a double as Python's {@code repr(float)} does, which is how the reference
 * implementation's canonical JSON writes the floats that room versions 1-5 may contain
 * (spec: appendices "Canonical JSON" warning). Both use the shortest round-tripping digits;
 * Python switches to exponent notation below 1e-4 and from 1e16.
 */
final class PythonFloat {
    private PythonFloat() {
    }

    static String repr(double value) {
        if (!Double.isFinite(value)) {
            throw new InvalidJsonException("JSON cannot represent " + value);
        }
        String sign = Math.copySign(1.0, value) < 0 ? "-" : "";
        BigDecimal shortest = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
        if (shortest.signum() == 0) {
            return sign + "0.0";
        }
        String digits = shortest.unscaledValue().toString();
        int exponent = digits.length() - 1 - shortest.scale();
        if (exponent >= -4 && exponent < 16) {
            String plain = shortest.toPlainString();
            return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String exponentDigits = String.valueOf(Math.abs(exponent));
        return sign + mantissa + (exponent < 0 ? "e-" : "e+")
                + (exponentDigits.length() < 2 ? "0" : "") + exponentDigits;
    }
}

package dev.myelin.server.e2ee;

import dev.myelin.server.http.MatrixException;

/**
 * Reads the device-list position out of the {@code from}/{@code to} tokens of GET /keys/changes. Until sync tokens
 * exist, a token is the device-list position itself in decimal.
 */
public final class DeviceListTokens {
    private DeviceListTokens() {
    }

    public static long position(String token) {
        try {
            long position = Long.parseLong(token);
            if (position >= 0) {
                return position;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw MatrixException.invalidParam("Invalid token: " + token);
    }
}

package dev.myelin.server.http;

/** Who made an authenticated request: the user and the device its access token belongs to. */
public record Requester(String userId, String deviceId, boolean guest) {
}

package dev.myelin.server.http;

/**
 * One entry of the route table.
 *
 * @param method       HTTP method
 * @param template     the path template with {@code {name}} placeholders, used as the metrics label
 * @param endpoint     what handles it
 * @param maxBodyBytes the largest request body accepted, or -1 for the server default
 */
public record Route(String method, String template, Endpoint endpoint, long maxBodyBytes) {
}

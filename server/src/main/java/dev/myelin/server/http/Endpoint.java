package dev.myelin.server.http;

/** One operation of the API: parse the request, call a service, render a response. */
@FunctionalInterface
public interface Endpoint {
    MatrixResponse handle(MatrixRequest request) throws Exception;
}

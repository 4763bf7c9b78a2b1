package dev.myelin.server.federation.directory;

import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;

import java.util.Arrays;

/**
 * Another server's refusal as the client's error: a 400, 403 or 404 with its errcode passes on (the client asked
 * something that server will not answer); anything else, unreachable included, is a 502.
 */
final class RemoteErrors {
    private RemoteErrors() {
    }

    static MatrixException toClient(FederationException e, String what) {
        int status = e.status();
        if (status == 400 || status == 403 || status == 404) {
            ErrorCode code = e.errcode().flatMap(name -> Arrays.stream(ErrorCode.values())
                    .filter(c -> c.name().equals(name)).findFirst()).orElse(ErrorCode.M_UNKNOWN);
            return new MatrixException(status, code, "Could not " + what + ": " + e.getMessage());
        }
        return new MatrixException(502, ErrorCode.M_UNKNOWN, "Could not " + what + ": " + e.getMessage());
    }
}

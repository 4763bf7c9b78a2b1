package dev.myelin.server.client;

import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Router;
import dev.myelin.server.voip.TurnCredentials;

/** GET /voip/turnServer (spec: voip.yaml). */
public final class VoipEndpoints {
    private final Authenticator authenticator;
    private final TurnCredentials turn;

    public VoipEndpoints(Authenticator authenticator, TurnCredentials turn) {
        this.authenticator = authenticator;
        this.turn = turn;
    }

    public void register(Router router) {
        router.add("GET", Router.CLIENT_V3_AND_R0, "/voip/turnServer",
                request -> MatrixResponse.ok(turn.forUser(authenticator.require(request).userId())));
    }
}

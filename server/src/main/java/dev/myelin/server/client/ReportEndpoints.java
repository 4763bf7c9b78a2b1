package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.report.ReportService;

import java.util.Optional;

/** Reporting events, rooms and users (spec: report_content.yaml). */
public final class ReportEndpoints {
    private final Authenticator authenticator;
    private final ReportService reports;

    public ReportEndpoints(Authenticator authenticator, ReportService reports) {
        this.authenticator = authenticator;
        this.reports = reports;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("POST", v3, "/rooms/{roomId}/report/{eventId}", request -> {
            Requester requester = authenticator.require(request);
            ObjectNode body = request.jsonObject();
            reports.reportEvent(requester.userId(), request.pathParam("roomId"), request.pathParam("eventId"),
                    Fields.string(body, "reason"), score(body));
            return MatrixResponse.empty();
        });
        router.add("POST", v3, "/rooms/{roomId}/report", request -> {
            Requester requester = authenticator.require(request);
            reports.reportRoom(requester.userId(), request.pathParam("roomId"),
                    Fields.string(request.jsonObject(), "reason"));
            return MatrixResponse.empty();
        });
        router.add("POST", v3, "/users/{userId}/report", request -> {
            Requester requester = authenticator.require(request);
            ObjectNode body = request.jsonObject();
            reports.reportUser(requester.userId(), ProfileEndpoints.userId(request),
                    Optional.of(Fields.requiredString(body, "reason")));
            return MatrixResponse.empty();
        });
    }

    /** The score clients before v1.18 send: an integer from -100 (most offensive) to 0. */
    private static Optional<Integer> score(ObjectNode body) {
        JsonNode score = body.get("score");
        if (score == null || score.isNull()) {
            return Optional.empty();
        }
        if (!score.isIntegralNumber() || !score.canConvertToInt()) {
            throw MatrixException.badJson("'score' must be an integer");
        }
        return Optional.of(score.asInt());
    }
}

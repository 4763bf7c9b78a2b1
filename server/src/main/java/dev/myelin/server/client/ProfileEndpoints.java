package dev.myelin.server.client;

import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.profile.ProfileService;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.UserId;

/** Profiles (spec: profile.yaml): the whole profile and single fields, read by anyone, written by their owner. */
public final class ProfileEndpoints {
    private final Authenticator authenticator;
    private final ProfileService profiles;

    public ProfileEndpoints(Authenticator authenticator, ProfileService profiles) {
        this.authenticator = authenticator;
        this.profiles = profiles;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("GET", v3, "/profile/{userId}", request ->
                MatrixResponse.ok(profiles.profile(userId(request))));
        router.add("GET", v3, "/profile/{userId}/{keyName}", request ->
                MatrixResponse.ok(profiles.field(userId(request), request.pathParam("keyName"))));
        router.add("PUT", v3, "/profile/{userId}/{keyName}", request -> {
            Requester requester = authenticator.requireNonGuest(request).requireNotSuspended();
            profiles.set(requester.userId(), userId(request), request.pathParam("keyName"), request.jsonObject());
            return MatrixResponse.empty();
        });
        router.add("DELETE", v3, "/profile/{userId}/{keyName}", request -> {
            Requester requester = authenticator.requireNonGuest(request).requireNotSuspended();
            profiles.delete(requester.userId(), userId(request), request.pathParam("keyName"));
            return MatrixResponse.empty();
        });
    }

    static String userId(MatrixRequest request) {
        String text = request.pathParam("userId");
        try {
            return UserId.parse(text).toString();
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam("Invalid user id: " + e.reason());
        }
    }
}

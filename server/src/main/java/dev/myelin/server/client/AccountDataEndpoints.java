package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.accountdata.AccountDataService;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.spec.id.InvalidIdentifierException;
import dev.myelin.spec.id.RoomId;

import java.util.Optional;

/** Global and per-room account data (spec: modules/account_data.md, account-data.yaml). Only for yourself. */
public final class AccountDataEndpoints {
    private final Authenticator authenticator;
    private final AccountDataService accountData;

    public AccountDataEndpoints(Authenticator authenticator, AccountDataService accountData) {
        this.authenticator = authenticator;
        this.accountData = accountData;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("GET", v3, "/user/{userId}/account_data/{type}", this::getGlobal);
        router.add("PUT", v3, "/user/{userId}/account_data/{type}", this::putGlobal);
        router.add("GET", v3, "/user/{userId}/rooms/{roomId}/account_data/{type}", this::getRoom);
        router.add("PUT", v3, "/user/{userId}/rooms/{roomId}/account_data/{type}", this::putRoom);
    }

    /** The requester, when the path's user is the requester: no one reads or writes another user's data. */
    static Requester requireSelf(Authenticator authenticator, MatrixRequest request) {
        Requester requester = authenticator.require(request);
        if (!request.pathParam("userId").equals(requester.userId())) {
            throw MatrixException.forbidden("Cannot access the account data of other users");
        }
        return requester;
    }

    /** The path's room id, 400 M_INVALID_PARAM when it is not one. */
    static String roomId(MatrixRequest request) {
        String roomId = request.pathParam("roomId");
        try {
            return RoomId.parse(roomId).toString();
        } catch (InvalidIdentifierException e) {
            throw MatrixException.invalidParam(roomId + " is not a valid room id: " + e.reason());
        }
    }

    private static String settableType(MatrixRequest request) {
        String type = request.pathParam("type");
        if (type.isEmpty()) {
            throw MatrixException.invalidParam("The account data type must not be empty");
        }
        if (AccountDataService.SERVER_MANAGED.contains(type)) {
            throw new MatrixException(405, ErrorCode.M_BAD_JSON, "Cannot set " + type + " through this API");
        }
        return type;
    }

    private static MatrixResponse found(Optional<ObjectNode> content) {
        return MatrixResponse.ok(content.orElseThrow(() -> MatrixException.notFound("Account data not found")));
    }

    private MatrixResponse getGlobal(MatrixRequest request) {
        Requester requester = requireSelf(authenticator, request);
        return found(accountData.global(requester.userId(), request.pathParam("type")));
    }

    private MatrixResponse putGlobal(MatrixRequest request) throws Exception {
        Requester requester = requireSelf(authenticator, request);
        String type = settableType(request);
        accountData.putGlobal(requester.userId(), type, request.jsonObject());
        return MatrixResponse.empty();
    }

    private MatrixResponse getRoom(MatrixRequest request) {
        Requester requester = requireSelf(authenticator, request);
        return found(accountData.room(requester.userId(), roomId(request), request.pathParam("type")));
    }

    private MatrixResponse putRoom(MatrixRequest request) throws Exception {
        Requester requester = requireSelf(authenticator, request);
        String roomId = roomId(request);
        String type = settableType(request);
        accountData.putRoom(requester.userId(), roomId, type, request.jsonObject());
        return MatrixResponse.empty();
    }
}

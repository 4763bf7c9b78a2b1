package dev.myelin.server.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.MatrixResponse;
import dev.myelin.server.http.Requester;
import dev.myelin.server.http.Router;
import dev.myelin.server.user.AccountService;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Account management (spec: whoami.yaml, password_management.yaml, account_deactivation.yaml,
 * administrative_contact.yaml). Third-party identifiers are not supported (no identity server, no mail): the list
 * is always empty and adding or validating one is refused.
 */
public final class AccountEndpoints {
    private final Authenticator authenticator;
    private final AccountService accounts;
    private final PasswordUia passwordUia;

    public AccountEndpoints(Authenticator authenticator, AccountService accounts, PasswordUia passwordUia) {
        this.authenticator = authenticator;
        this.accounts = accounts;
        this.passwordUia = passwordUia;
    }

    public void register(Router router) {
        var v3 = Router.CLIENT_V3_AND_R0;
        router.add("GET", v3, "/account/whoami", this::whoami);
        router.add("POST", v3, "/account/password", this::changePassword);
        router.add("POST", v3, "/account/deactivate", this::deactivate);
        router.add("GET", v3, "/account/3pid", this::threepids);
        router.add("POST", v3, "/account/3pid", request -> {
            authenticator.requireNonGuest(request);
            throw new MatrixException(403, ErrorCode.M_THREEPID_AUTH_FAILED, "Third-party identifiers are not supported");
        });
        router.add("POST", v3, "/account/3pid/add", request -> {
            authenticator.requireNonGuest(request);
            throw new MatrixException(403, ErrorCode.M_THREEPID_AUTH_FAILED, "No validated third-party identifier session");
        });
        router.add("POST", v3, "/account/3pid/bind", request -> {
            authenticator.requireNonGuest(request);
            throw new MatrixException(400, ErrorCode.M_SERVER_NOT_TRUSTED, "This server does not use identity servers");
        });
        router.add("POST", v3, "/account/3pid/delete", this::unbind);
        router.add("POST", v3, "/account/3pid/unbind", this::unbind);
        for (String medium : List.of("email", "msisdn")) {
            router.add("POST", v3, "/account/3pid/" + medium + "/requestToken", request -> {
                authenticator.requireNonGuest(request);
                return threepidUnsupported(request);
            });
            router.add("POST", v3, "/account/password/" + medium + "/requestToken", AccountEndpoints::threepidUnsupported);
        }
    }

    /** Every requestToken endpoint: this server validates no email addresses or phone numbers. */
    static MatrixResponse threepidUnsupported(MatrixRequest request) {
        throw new MatrixException(400, ErrorCode.M_THREEPID_MEDIUM_NOT_SUPPORTED,
                "This server does not support third-party identifiers");
    }

    private MatrixResponse whoami(MatrixRequest request) {
        Requester requester = authenticator.require(request);
        var out = new LinkedHashMap<String, Object>(4);
        out.put("user_id", requester.userId());
        if (requester.deviceId() != null) {
            out.put("device_id", requester.deviceId());
        }
        out.put("is_guest", requester.guest());
        return MatrixResponse.ok(out);
    }

    private MatrixResponse changePassword(MatrixRequest request) throws Exception {
        Optional<Requester> requester = authenticator.optional(request);
        if (requester.isPresent() && requester.get().guest()) {
            throw new MatrixException(403, ErrorCode.M_GUEST_ACCESS_FORBIDDEN, "Guests have no password");
        }
        ObjectNode body = request.jsonObject();
        String newPassword = Fields.requiredString(body, "new_password");
        boolean logoutDevices = Fields.bool(body, "logout_devices", true);
        accounts.checkPasswordPolicy(newPassword);
        String userId = passwordUia.authenticate(body, "password", requester.map(Requester::userId),
                request.remoteAddress());
        accounts.changePassword(userId, newPassword, logoutDevices, requester.map(Requester::deviceId));
        return MatrixResponse.empty();
    }

    private MatrixResponse deactivate(MatrixRequest request) throws Exception {
        Optional<Requester> requester = authenticator.optional(request);
        if (requester.isPresent() && requester.get().guest()) {
            throw new MatrixException(403, ErrorCode.M_GUEST_ACCESS_FORBIDDEN, "Guests cannot deactivate");
        }
        ObjectNode body = request.jsonObject();
        boolean erase = Fields.bool(body, "erase", false);
        Fields.string(body, "id_server");
        String userId = passwordUia.authenticate(body, "deactivate", requester.map(Requester::userId),
                request.remoteAddress());
        accounts.deactivate(userId, erase);
        return MatrixResponse.ok(Map.of("id_server_unbind_result", "no-support"));
    }

    private MatrixResponse threepids(MatrixRequest request) {
        authenticator.requireNonGuest(request);
        return MatrixResponse.ok(Map.of("threepids", List.of()));
    }

    private MatrixResponse unbind(MatrixRequest request) throws Exception {
        authenticator.requireNonGuest(request);
        ObjectNode body = request.jsonObject();
        Fields.requiredString(body, "medium");
        Fields.requiredString(body, "address");
        return MatrixResponse.ok(Map.of("id_server_unbind_result", "no-support"));
    }
}

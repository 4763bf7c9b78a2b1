package dev.myelin.server.appservice;

import dev.myelin.server.http.AppServiceTokenResolver;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.http.MatrixRequest;
import dev.myelin.server.http.Requester;
import dev.myelin.server.storage.AccountStore;
import dev.myelin.server.storage.DeviceStore;

import java.util.Optional;

/**
 * Requests made with an as_token (spec: application-service-api "Identity assertion"): they act as the user in
 * {@code ?user_id=} (which must be the AS's sender or in its users namespace, else 403 M_EXCLUSIVE, and registered,
 * else 403 M_FORBIDDEN), or as the sender; {@code ?device_id=} (v1.17, MSC4326) must be one of that user's devices,
 * else 400 M_UNKNOWN_DEVICE. Without it the request has no device.
 */
public final class IdentityAssertion implements AppServiceTokenResolver {
    private final AppServices appServices;
    private final AccountStore accounts;
    private final DeviceStore devices;

    public IdentityAssertion(AppServices appServices, AccountStore accounts, DeviceStore devices) {
        this.appServices = appServices;
        this.accounts = accounts;
        this.devices = devices;
    }

    @Override
    public Optional<Requester> resolve(String asToken, MatrixRequest request) {
        Optional<AppServiceRegistration> found = appServices.byAsToken(asToken);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        AppServiceRegistration registration = found.get();
        String userId = request.query("user_id").orElse(registration.senderUserId());
        if (!registration.coversUser(userId)) {
            throw new MatrixException(403, ErrorCode.M_EXCLUSIVE,
                    "Application service cannot masquerade as this user (not in its namespace)");
        }
        AccountStore.Account account = accounts.find(userId).filter(a -> !a.deactivated())
                .orElseThrow(() -> MatrixException.forbidden("Application service has not registered this user"));
        String deviceId = request.query("device_id").orElse(null);
        if (deviceId != null && devices.device(userId, deviceId).isEmpty()) {
            throw new MatrixException(400, ErrorCode.M_UNKNOWN_DEVICE, "Unknown device for this user");
        }
        return Optional.of(new Requester(userId, deviceId, false, account.locked(), account.suspended(),
                registration.id()));
    }
}

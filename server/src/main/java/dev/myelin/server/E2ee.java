package dev.myelin.server;

import dev.myelin.server.client.DehydratedDeviceEndpoints;
import dev.myelin.server.client.KeyBackupEndpoints;
import dev.myelin.server.client.KeysEndpoints;
import dev.myelin.server.client.PasswordUia;
import dev.myelin.server.client.ToDeviceEndpoints;
import dev.myelin.server.e2ee.CrossSigning;
import dev.myelin.server.e2ee.DehydratedDevices;
import dev.myelin.server.e2ee.DeviceListContributor;
import dev.myelin.server.e2ee.DeviceLists;
import dev.myelin.server.e2ee.KeyBackups;
import dev.myelin.server.e2ee.KeyService;
import dev.myelin.server.e2ee.ToDeviceContributor;
import dev.myelin.server.e2ee.ToDeviceService;
import dev.myelin.server.http.Authenticator;
import dev.myelin.server.http.Router;
import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.SqlDeviceListStore;
import dev.myelin.server.storage.sql.SqlE2eKeyStore;
import dev.myelin.server.storage.sql.SqlKeyBackupStore;
import dev.myelin.server.storage.sql.SqlToDeviceStore;
import dev.myelin.server.sync.Notifier;
import dev.myelin.server.sync.SyncService;
import dev.myelin.server.sync.SyncToken;

import java.time.Clock;

/**
 * End-to-end encryption wired together: keys, cross-signing, device lists, to-device messages, key backups and
 * dehydrated devices, their sync contributors, and the hooks into devices, accounts and room memberships.
 */
public record E2ee(KeyService keys, CrossSigning crossSigning, DeviceLists deviceLists, ToDeviceService toDevice,
                   KeyBackups backups, DehydratedDevices dehydrated, PasswordUia passwordUia,
                   DeviceListContributor deviceListContributor, ToDeviceContributor toDeviceContributor) {

    public static E2ee create(String serverName, Database database, Notifier notifier, Accounts accounts,
                              Rooms rooms, SyncService sync, Clock clock) {
        var keyStore = new SqlE2eKeyStore(database);
        var toDeviceStore = new SqlToDeviceStore(database);
        var deviceLists = new DeviceLists(new SqlDeviceListStore(database), keyStore, notifier);
        var keys = new KeyService(serverName, keyStore, deviceLists);
        accounts.devices().addListener(deviceLists);
        accounts.accounts().addListener(deviceLists);
        rooms.service().addMembershipListener(deviceLists);
        var deviceListContributor = new DeviceListContributor(deviceLists, keys);
        var toDeviceContributor = new ToDeviceContributor(toDeviceStore);
        sync.register(deviceListContributor);
        sync.register(toDeviceContributor);
        return new E2ee(keys, new CrossSigning(keyStore, deviceLists), deviceLists,
                new ToDeviceService(serverName, toDeviceStore, notifier), new KeyBackups(new SqlKeyBackupStore(database)),
                new DehydratedDevices(keyStore, toDeviceStore, keys, deviceLists, clock),
                new PasswordUia(accounts.uia(), accounts.accounts()), deviceListContributor, toDeviceContributor);
    }

    public void routes(Router router, Authenticator authenticator) {
        new KeysEndpoints(authenticator, keys, crossSigning, deviceLists, passwordUia,
                token -> SyncToken.parse(token).position(SqlDeviceListStore.DEVICE_LISTS))
                .register(router);
        new ToDeviceEndpoints(authenticator, toDevice).register(router);
        new KeyBackupEndpoints(authenticator, backups).register(router);
        new DehydratedDeviceEndpoints(authenticator, dehydrated).register(router);
    }
}

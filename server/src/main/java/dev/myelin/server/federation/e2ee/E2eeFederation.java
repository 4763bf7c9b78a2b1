package dev.myelin.server.federation.e2ee;

import dev.myelin.server.E2ee;
import dev.myelin.server.federation.edu.RoomServers;
import dev.myelin.server.federation.inbound.InboundHandlers;
import dev.myelin.server.federation.sender.FederationSender;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationRoutes;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.DeviceListStore;
import dev.myelin.server.storage.RemoteDeviceListStore;

import java.util.function.Predicate;

/**
 * End-to-end encryption over federation, wired: remote users' device lists (cached, kept current by EDUs), remote
 * keys for {@code /keys/query} and {@code /keys/claim}, local key changes sent as EDUs, to-device messages both
 * ways, and the {@code /user/devices} and {@code /user/keys} endpoints other servers call.
 */
public final class E2eeFederation {
    private final UserKeysEndpoints endpoints;

    public E2eeFederation(E2ee e2ee, RoomService rooms, RoomServers servers, DeviceListStore changes, RemoteDeviceListStore remoteLists,
                          FederationClient client, FederationSender sender, InboundHandlers inbound,
                          Predicate<String> userExists) {
        var deviceLists = new RemoteDeviceLists(remoteLists, client, e2ee.deviceLists(), servers);
        rooms.addMembershipListener(deviceLists);
        inbound.eduHandler(RemoteDeviceLists.DEVICE_LIST_UPDATE, deviceLists::deviceListUpdate);
        inbound.eduHandler(RemoteDeviceLists.SIGNING_KEY_UPDATE, deviceLists::signingKeyUpdate);
        e2ee.keys().remoteKeys(new FederatedKeys(deviceLists, client));
        var outbound = new OutboundDeviceLists(e2ee.keys(), changes, servers, sender);
        e2ee.deviceLists().addListener(outbound);
        var toDevice = new ToDeviceEdus(e2ee.toDevice(), sender);
        inbound.eduHandler(ToDeviceEdus.TYPE, toDevice);
        e2ee.toDevice().remote(toDevice);
        this.endpoints = new UserKeysEndpoints(e2ee.keys(), outbound, servers, userExists);
    }

    public void register(FederationRoutes routes) {
        endpoints.register(routes);
    }
}

package dev.myelin.server.federation;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Certificate checks and the address guard of outbound federation, and delivery to a destination that comes back. */
class FederationTlsAndDeliveryHttpTest {
    static FederatedTestServer b;

    @BeforeAll
    static void start() throws Exception {
        b = FederatedTestServer.start(Backend.SQLITE);
    }

    @AfterAll
    static void stop() throws Exception {
        b.close();
    }

    private static void versionOf(FederatedTestServer from) throws FederationException {
        from.federation().client().get(b.serverName(), "/_matrix/federation/v1/version");
    }

    @Test
    void anUntrustedCertificateIsRefusedUnlessTrustedOrExempted() throws Exception {
        try (var verifying = FederatedTestServer.start(Backend.SQLITE, "federation.tls_verify=true")) {
            assertThatThrownBy(() -> versionOf(verifying)).isInstanceOfSatisfying(FederationException.class,
                    e -> assertThat(e.unreachable()).isTrue());
        }
        try (var trusting = FederatedTestServer.start(Backend.SQLITE, "federation.tls_verify=true",
                "federation.trusted_ca=" + b.certificate())) {
            versionOf(trusting);
        }
        try (var exempting = FederatedTestServer.start(Backend.SQLITE, "federation.tls_verify=true",
                "federation.insecure_skip_verify_for=[\"" + b.serverName() + "\"]")) {
            versionOf(exempting);
        }
    }

    @Test
    void loopbackIsRefusedUnlessPrivateAddressesAreAllowed() throws Exception {
        try (var guarded = FederatedTestServer.start(Backend.SQLITE, "federation.allow_private_addresses=false")) {
            assertThatThrownBy(() -> versionOf(guarded)).isInstanceOfSatisfying(FederationException.class,
                    e -> assertThat(e.getMessage()).contains("allow_private_addresses"));
        }
    }

    @Test
    void whatWasQueuedForAnUnreachableServerIsDeliveredWhenItIsBack() throws Exception {
        int port = FederatedTestServer.freePort();
        String later = "localhost:" + port;
        var content = JsonNodeFactory.instance.objectNode().put("n", "while away");

        b.federation().sender().enqueueEdu(later, "org.example.catchup", content);
        FederationTransportHttpTest.awaitTrue(() -> b.federation().sender().backingOff(later));

        List<String> received = new CopyOnWriteArrayList<>();
        try (var back = FederatedTestServer.start(Backend.SQLITE, port)) {
            back.federation().inbound().eduHandler("org.example.catchup",
                    (origin, edu) -> received.add(origin + " " + edu.path("n").asText()));
            // Any signed request from it tells b it is up again; b then sends what waited, without waiting for
            // its back-off to end.
            assertThatThrownBy(() -> back.federation().client().get(b.serverName(),
                    "/_matrix/federation/v1/query/profile?user_id=%40x%3A" + b.serverName().replace(":", "%3A")))
                    .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(404));
            FederationTransportHttpTest.awaitTrue(() -> received.contains(b.serverName() + " while away"));
            FederationTransportHttpTest.awaitTrue(() -> !b.federation().sender().backingOff(later));
        }
    }
}

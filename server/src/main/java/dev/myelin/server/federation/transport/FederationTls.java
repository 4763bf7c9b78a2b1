package dev.myelin.server.federation.transport;

import dev.myelin.server.config.MyelinConfig;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The TLS contexts of outbound federation (spec: server-server-api "TLS"): certificates are checked against the
 * system's CAs plus {@code federation.trusted_ca}, unless {@code federation.tls_verify} is off or the server name
 * is in {@code federation.insecure_skip_verify_for}.
 */
public final class FederationTls {
    private final SSLContext verifying;
    private final SSLContext trustingAll;
    private final boolean verify;
    private final Set<String> skipFor;

    public FederationTls(MyelinConfig.Federation config) throws IOException, GeneralSecurityException {
        this.verify = config.tlsVerify();
        this.skipFor = Set.copyOf(config.insecureSkipVerifyFor());
        this.verifying = SSLContext.getInstance("TLS");
        verifying.init(null, new TrustManager[]{trustManager(config)}, null);
        this.trustingAll = SSLContext.getInstance("TLS");
        trustingAll.init(null, new TrustManager[]{new TrustingAll()}, null);
    }

    /** The context for requests to a server name (or a host found through it). */
    public SSLContext contextFor(String serverName) {
        return verify && !skipFor.contains(serverName) ? verifying : trustingAll;
    }

    /** Whether certificates of this server name are checked. */
    public boolean verifies(String serverName) {
        return verify && !skipFor.contains(serverName);
    }

    private static X509ExtendedTrustManager trustManager(MyelinConfig.Federation config)
            throws IOException, GeneralSecurityException {
        X509ExtendedTrustManager system = fromKeyStore(null);
        if (config.trustedCa().isEmpty()) {
            return system;
        }
        KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
        extra.load(null, null);
        List<Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(config.trustedCa().get())) {
            certificates.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
        if (certificates.isEmpty()) {
            throw new CertificateException("federation.trusted_ca holds no certificate: " + config.trustedCa().get());
        }
        for (int i = 0; i < certificates.size(); i++) {
            extra.setCertificateEntry("trusted-ca-" + i, certificates.get(i));
        }
        return new EitherTrustManager(system, fromKeyStore(extra));
    }

    private static X509ExtendedTrustManager fromKeyStore(KeyStore store) throws GeneralSecurityException {
        var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager extended) {
                return extended;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager available");
    }

    /** Trusts a certificate either of two trust managers trusts (the system's CAs, then the configured ones). */
    private static final class EitherTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager first;
        private final X509ExtendedTrustManager second;

        EitherTrustManager(X509ExtendedTrustManager first, X509ExtendedTrustManager second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType, engine);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType, socket);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            first.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            first.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            first.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            var all = new ArrayList<>(List.of(first.getAcceptedIssuers()));
            all.addAll(List.of(second.getAcceptedIssuers()));
            return all.toArray(X509Certificate[]::new);
        }
    }

    /**
     * Accepts any certificate and skips the host name check (an extended trust manager, so that JSSE does not add
     * its own identity check around it). Only for tests and the configured exceptions.
     */
    private static final class TrustingAll extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

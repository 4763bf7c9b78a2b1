package dev.myelin.server.http;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;

/** Builds an in-memory key store from the PEM files operators have (such as Let's Encrypt's). */
final class PemKeyStore {
    static final char[] PASSWORD = new char[0];

    private PemKeyStore() {
    }

    static KeyStore load(Path certificateFile, Path privateKeyFile) throws IOException, GeneralSecurityException {
        var certificates = new ArrayList<Certificate>();
        var converter = new JcaX509CertificateConverter();
        try (Reader reader = Files.newBufferedReader(certificateFile); var parser = new PEMParser(reader)) {
            for (Object item = parser.readObject(); item != null; item = parser.readObject()) {
                if (item instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("No certificate found in " + certificateFile);
        }
        PrivateKey key;
        try (Reader reader = Files.newBufferedReader(privateKeyFile); var parser = new PEMParser(reader)) {
            Object item = parser.readObject();
            var keyConverter = new JcaPEMKeyConverter();
            key = switch (item) {
                case PEMKeyPair pair -> keyConverter.getKeyPair(pair).getPrivate();
                case PrivateKeyInfo info -> keyConverter.getPrivateKey(info);
                case null, default -> throw new GeneralSecurityException("No unencrypted private key found in " + privateKeyFile);
            };
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("myelin", key, PASSWORD, certificates.toArray(Certificate[]::new));
        return store;
    }
}

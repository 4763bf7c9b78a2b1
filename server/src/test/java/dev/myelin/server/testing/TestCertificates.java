package dev.myelin.server.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Self-signed TLS certificates for "localhost" and 127.0.0.1, written as PEM files for listeners. */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** The files of one certificate. */
    public record Pem(Path certificate, Path privateKey) {
    }

    public static Pem selfSigned(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        var generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        var pair = generator.generateKeyPair();
        var subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
                pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, name), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        var certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        var pem = new Pem(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
        try (Writer out = Files.newBufferedWriter(pem.certificate()); var writer = new JcaPEMWriter(out)) {
            writer.writeObject(certificate);
        }
        try (Writer out = Files.newBufferedWriter(pem.privateKey()); var writer = new JcaPEMWriter(out)) {
            writer.writeObject(new JcaPKCS8Generator(pair.getPrivate(), null));
        }
        return pem;
    }
}

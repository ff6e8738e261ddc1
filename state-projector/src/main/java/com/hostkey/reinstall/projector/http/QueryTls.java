package com.hostkey.reinstall.projector.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collections;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The SSL contexts of the query API: serving HTTPS, and trusting the other instances when forwarding. */
public final class QueryTls {

    private QueryTls() {}

    /** The server side: the keystore's key and certificate chain. */
    static SSLContext serverContext(QueryApiSettings.Tls tls) {
        try {
            KeyStore keys = load(tls.keystore(), tls.keystorePassword());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, tls.keystorePassword().toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("PROJECTOR_TLS_KEYSTORE " + tls.keystore() + " is unusable: " + e.getMessage(), e);
        }
    }

    /**
     * The forwarding side: trusts the truststore when configured, else exactly the certificates of
     * this instance's own keystore (instances sharing one certificate).
     */
    public static SSLContext clientContext(QueryApiSettings.Tls tls) {
        try {
            KeyStore trusted;
            if (tls.truststore() != null) {
                trusted = load(tls.truststore(), tls.truststorePassword() == null ? "" : tls.truststorePassword());
            } else {
                KeyStore keys = load(tls.keystore(), tls.keystorePassword());
                trusted = emptyStore();
                int n = 0;
                for (String alias : Collections.list(keys.aliases())) {
                    Certificate[] chain = keys.getCertificateChain(alias);
                    if (chain == null && keys.getCertificate(alias) != null) {
                        chain = new Certificate[] {keys.getCertificate(alias)};
                    }
                    for (Certificate certificate : chain == null ? new Certificate[0] : chain) {
                        trusted.setCertificateEntry("trusted-" + n++, certificate);
                    }
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("The query API's TLS trust settings are unusable: " + e.getMessage(), e);
        }
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create an in-memory trust store", e);
        }
        return store;
    }

    private static KeyStore load(Path path, String password) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            store.load(in, password.toCharArray());
        } catch (IOException e) {
            // A wrong password surfaces as an IOException too; the message names no secret.
            throw new UncheckedIOException("Cannot read the PKCS12 store " + path + ": " + e.getMessage(), e);
        }
        return store;
    }
}

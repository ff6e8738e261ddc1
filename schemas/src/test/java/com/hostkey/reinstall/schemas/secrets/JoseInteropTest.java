package com.hostkey.reinstall.schemas.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.schemas.secrets.SecretOpener.CannotOpenException;
import com.hostkey.reinstall.schemas.secrets.SecretOpener.CannotOpenException.Reason;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.KeyGenerator;
import org.junit.jupiter.api.Test;

/**
 * The contract is the standard, not our sealer: a JWE any JOSE library makes with RSA-OAEP-256,
 * A256GCM and the handler's kid opens, ours opens with a stock decrypter, and nothing else opens.
 * Here the other library is Nimbus' generic API (JWEObject, RSAEncrypter from a JWK of the set).
 */
class JoseInteropTest {

    private static final KeyPair PAIR = SealingKeys.generate();
    private static final String KID = "key-2026-11";
    private final SecretOpener opener = new SecretOpener(Map.of(KID, PAIR.getPrivate()));

    @Test
    void shouldOpenAJweMadeByAGenericJoseProducerFromTheJwkSet() throws Exception {
        JWKSet published = JWKSet.parse(SealingKeys.publicJwkSet(Map.of(KID, PAIR.getPrivate()), KID).toString());
        RSAKey first = (RSAKey) published.getKeys().getFirst();
        JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM)
                .keyID(first.getKeyID()).build(), new Payload("From-Python-3%"));
        jwe.encrypt(new RSAEncrypter(first));

        assertThat(opener.open(jwe.serialize())).isEqualTo("From-Python-3%");
    }

    @Test
    void shouldSealWhatAStockDecrypterOpens() throws Exception {
        JWEObject parsed = JWEObject.parse(new SecretSealer(KID, PAIR.getPublic()).seal("To-Anyone-7%"));
        parsed.decrypt(new RSADecrypter(PAIR.getPrivate()));

        assertThat(parsed.getPayload().toString()).isEqualTo("To-Anyone-7%");
        assertThat(parsed.getHeader().getKeyID()).isEqualTo(KID);
    }

    @Test
    void shouldRefuseAGenericJweWithRsaOaepSha1() throws Exception {
        JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP, EncryptionMethod.A256GCM).keyID(KID).build(),
                new Payload("Sup3r%Secret"));
        jwe.encrypt(new RSAEncrypter((RSAPublicKey) PAIR.getPublic()));

        assertThatThrownBy(() -> opener.open(jwe.serialize())).isInstanceOf(CannotOpenException.class)
                .satisfies(e -> assertThat(((CannotOpenException) e).reason()).isEqualTo(Reason.ALGORITHM_REFUSED));
    }

    @Test
    void shouldRefuseADirectKeyJweEvenWhenItsKeyIsTheOneRsaWouldUnwrap() throws Exception {
        // alg "dir" with the handler's kid: a decrypter that trusted the header would use the
        // content key the attacker chose. The opener never gets that far.
        KeyGenerator aes = KeyGenerator.getInstance("AES");
        aes.init(256);
        JWEObject jwe = new JWEObject(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM).keyID(KID).build(),
                new Payload("Attacker-chosen1"));
        jwe.encrypt(new DirectEncrypter(aes.generateKey()));

        assertThatThrownBy(() -> opener.open(jwe.serialize())).isInstanceOf(CannotOpenException.class)
                .satisfies(e -> assertThat(((CannotOpenException) e).reason()).isEqualTo(Reason.ALGORITHM_REFUSED));
    }

    @Test
    void shouldRefuseHandEditedHeaders() {
        String sealed = new SecretSealer(KID, PAIR.getPublic()).seal("Sup3r%Secret");
        String none = "{\"alg\":\"none\",\"enc\":\"A256GCM\",\"kid\":\"" + KID + "\"}";
        String dir = "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"" + KID + "\"}";
        String a128 = "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A128GCM\",\"kid\":\"" + KID + "\"}";

        for (Map.Entry<String, Reason> edit : Map.of(none, Reason.MALFORMED, dir, Reason.ALGORITHM_REFUSED,
                a128, Reason.ALGORITHM_REFUSED).entrySet()) {
            String edited = withHeader(sealed, edit.getKey());
            assertThatThrownBy(() -> opener.open(edited)).as(edit.getKey()).isInstanceOf(CannotOpenException.class)
                    .satisfies(e -> assertThat(((CannotOpenException) e).reason()).isEqualTo(edit.getValue()))
                    .hasMessageNotContaining("Sup3r");
        }
    }

    private static String withHeader(String compact, String headerJson) {
        List<String> parts = new java.util.ArrayList<>(List.of(compact.split("\\.", -1)));
        parts.set(0, Base64.getUrlEncoder().withoutPadding().encodeToString(headerJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return String.join(".", parts);
    }
}

package com.hostkey.reinstall.schemas.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepAuthenticatorTest {

    private static final String TOPIC = "reinstall-steps";
    private static final byte[] OLD = StepAuthenticator.generateKey();
    private static final byte[] NEW = StepAuthenticator.generateKey();
    private static final byte[] VALUE = "a step".getBytes(StandardCharsets.UTF_8);

    private final StepAuthenticator projector = StepAuthenticator.of(Map.of("old", OLD, "new", NEW), "new");
    private final StepAuthenticator handler = StepAuthenticator.verifier(Map.of("old", OLD, "new", NEW));

    @Test
    void shouldVerifyWhatTheProjectorSignedAndNothingAltered() {
        Headers headers = signed(projector, VALUE);

        assertThat(handler.refusal(TOPIC, headers, VALUE)).isEmpty();
        byte[] altered = VALUE.clone();
        altered[0] ^= 1;
        assertThat(handler.refusal(TOPIC, headers, altered)).get().asString().contains("does not match");
        assertThat(handler.refusal("another-topic", headers, VALUE)).get().asString().contains("does not match");
        assertThat(handler.refusal(TOPIC, headers, null)).isPresent();
    }

    @Test
    void shouldRefuseUnsignedMalformedAndUnknownKeySignaturesWithoutNamingTheKey() {
        assertThat(handler.refusal(TOPIC, new RecordHeaders(), VALUE)).get().asString().contains("no reinstall-step-auth header");
        RecordHeaders malformed = new RecordHeaders();
        malformed.add(StepAuthenticator.HEADER, "v2:new:abc".getBytes(StandardCharsets.UTF_8));
        assertThat(handler.refusal(TOPIC, malformed, VALUE)).get().asString().contains("malformed");
        StepAuthenticator stranger = StepAuthenticator.of(Map.of("other", StepAuthenticator.generateKey()), "other");
        assertThat(handler.refusal(TOPIC, signed(stranger, VALUE), VALUE)).get().asString().contains("unknown step key 'other'");
        // Signed with a key id the handler knows, but not with its secret.
        StepAuthenticator forger = StepAuthenticator.of(Map.of("new", StepAuthenticator.generateKey()), "new");
        String refusal = handler.refusal(TOPIC, signed(forger, VALUE), VALUE).orElseThrow();
        assertThat(refusal).contains("does not match").doesNotContain(java.util.Base64.getEncoder().encodeToString(NEW));
    }

    @Test
    void shouldKeepVerifyingTheOldKeyWhileTheProjectorMovesToTheNewOne() {
        StepAuthenticator before = StepAuthenticator.of(Map.of("old", OLD), "old");
        StepAuthenticator handlerAfterRotation = StepAuthenticator.verifier(Map.of("new", NEW));

        assertThat(handler.refusal(TOPIC, signed(before, VALUE), VALUE)).isEmpty();
        assertThat(handler.refusal(TOPIC, signed(projector, VALUE), VALUE)).isEmpty();
        assertThat(new String(signed(projector, VALUE).lastHeader(StepAuthenticator.HEADER).value(), StandardCharsets.UTF_8))
                .startsWith("v1:new:");
        assertThat(handlerAfterRotation.refusal(TOPIC, signed(before, VALUE), VALUE)).isPresent();
    }

    @Test
    void shouldSignThroughTheSerializerAndReplaceASignatureTheRecordAlreadyHad() {
        Serializer<String> signing = projector.signing(new StringSerializer());
        RecordHeaders headers = new RecordHeaders();
        headers.add(StepAuthenticator.HEADER, "v1:new:forged".getBytes(StandardCharsets.UTF_8));

        byte[] bytes = signing.serialize(TOPIC, headers, "a step");

        assertThat(headers.headers(StepAuthenticator.HEADER)).hasSize(1);
        assertThat(handler.refusal(TOPIC, headers, bytes)).isEmpty();
        assertThatThrownBy(() -> signing.serialize(TOPIC, "a step")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> handler.sign(TOPIC, new RecordHeaders(), VALUE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldReadKeyFilesAndRefuseShortKeysAndBadEntries(@TempDir Path dir) throws Exception {
        Path file = StepAuthenticator.writeKey(NEW, dir, "k1");
        Map<String, byte[]> keys = StepAuthenticator.readKeys("k1=" + file);
        assertThat(keys.get("k1")).isEqualTo(NEW);

        Files.writeString(dir.resolve("short.step.key"), java.util.Base64.getEncoder().encodeToString(new byte[16]));
        Map<String, byte[]> shortKey = StepAuthenticator.readKeys("s=" + dir.resolve("short.step.key"));
        assertThatThrownBy(() -> StepAuthenticator.verifier(shortKey)).hasMessageContaining("at least 32");
        assertThatThrownBy(() -> StepAuthenticator.readKeys("no-path")).hasMessageContaining("keyId=path");
        assertThatThrownBy(() -> StepAuthenticator.of(Map.of("a", NEW), "b")).hasMessageContaining("not among the keys");
        assertThatThrownBy(() -> StepAuthenticator.verifier(Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static Headers signed(StepAuthenticator signer, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        signer.sign(TOPIC, headers, value);
        return headers;
    }
}

package com.hostkey.reinstall.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.invapi.facts.PerCoreLicences;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ReinstallValidatorTest {

    private static final String PASSWORD = "Secure_Pass1";
    private static final String SCRIPT = "#!/bin/sh\napt-get install -y nginx\n";

    private final ReinstallValidator validator = new ReinstallValidator(ValidationLimits.defaults());

    // ------------------------------------------------------------ fixtures

    private static ValidateReinstall command(Consumer<ValidateReinstall.Builder> changes) {
        ValidateReinstall.Builder builder = ValidateReinstall.newBuilder()
                .setAccount("default")
                .setOsId(101)
                .setHostname("web-1.example.com");
        changes.accept(builder);
        return builder.build();
    }

    private static ValidateReinstall validCommand() {
        return command(b -> { });
    }

    private Optional<ValidationFailed> checkFields(Consumer<ValidateReinstall.Builder> changes) {
        return validator.checkFields(command(changes), PASSWORD, null);
    }

    private static void assertFailure(Optional<ValidationFailed> result, RejectionReason reason, String field,
                                      String... messageFragments) {
        assertThat(result).as("validation result").isPresent();
        ValidationFailed failure = result.get();
        assertThat(failure.getReason()).as("reason of: %s", failure.getMessage()).isEqualTo(reason);
        assertThat(failure.getField()).isEqualTo(field);
        assertThat(failure.getMessage()).as("the message names the field").contains(field);
        assertThat(failure.getMessage()).contains(messageFragments);
    }

    private static String repeat(char c, int times) {
        return String.valueOf(c).repeat(times);
    }

    // ------------------------------------------------------------ SSH key blobs

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    /** SSH wire format: each string as a 4-byte big-endian length and its bytes. */
    private static byte[] blob(byte[]... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] s : strings) {
            out.writeBytes(ByteBuffer.allocate(4).putInt(s.length).array());
            out.writeBytes(s);
        }
        return out.toByteArray();
    }

    private static String keyLine(String type, byte[] blob) {
        return type + " " + Base64.getEncoder().encodeToString(blob);
    }

    private static byte[] ed25519Blob() {
        return blob(ascii("ssh-ed25519"), filled(32, 0x5a));
    }

    private static final String ED25519_KEY = keyLine("ssh-ed25519", ed25519Blob()) + " admin@example.com";

    /** Generated with OpenSSH 9.2 ssh-keygen: OpenSSH's own encoding of each type. */
    private static final List<String> OPENSSH_GENERATED_KEYS = List.of(
            "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDUFzPtAZHRkqTm7AMX4nnCTqSaXJEXu7llnIdPstStMV0UUFJkIoUyXzdS9dMKKiV2PLeT"
                    + "+oAPsSPThNH8p0XTyWSHNWICUSNq29ubRWs7icdRCcb/duR8v/3gtS9SzBMx4RkG8DyjLDxqhyKt2vlF1x71U6vHCVhD8FTkf+QdgHKCl4"
                    + "42KZUygzPayvSmiTNMetQC4bfl/wFJT9eqqOo77TdE8aXjSzAvM6cCZ8jaGJCsH9s3ub65SFORS1vlWCWdBqVSQ08y8TFNIpAWn+1XaxXi"
                    + "q14OUxJqpggzETGHSEnMYW9GjlzKtttVYzR7GQw0Pc/LVvbkV4c22fbtqmId fixture@example",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEv3xPjaEakp11ANA31Rfk3rAjf30cxzyD57QsFK4adM fixture@example",
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCzo/8MXh+KNI58npRwLuwdqJGB0gMSFtSaRVpJj"
                    + "we5w462buoUNTQ78WvUEbRFE8SdeYH9irZ8Ed+8Qnr7dpSQ= fixture@example",
            "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBN4Hye7XaYKs2+A+lA8XNMcFJTD+IxeQ9zdMqhnq"
                    + "+cUmpNzxVdtlXEQqCPFwOG3BZd6xBIi4wMzl+EVbjZna8vtauALWfbOH7PMhPpdyUlJK7Wk8nKEIqNIzk2IgwAgjXA== fixture@example",
            "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBADiTLelZkt9bb4+Er2rKTVswG7kwi1E85IJaRr9"
                    + "FogUTvTHNZ79X/p9h3cRxfOWADfar7ug1rpsKzsw8l9hz+PejwF8gaf+ekJWxB1cYU8ju4NB5CNIzJ4HP+srSbG6JhwGd9CRzR4hgeRdQZhHJr"
                    + "6xCSjAyS0k+i9netdcRHV2bvsYzw== fixture@example");

    // ------------------------------------------------------------ checkFields

    @Test
    void shouldAcceptARequestWithOnlyTheRequiredFields() {
        assertThat(validator.checkFields(validCommand(), PASSWORD, null)).isEmpty();
    }

    @Test
    void shouldAcceptARequestWithEveryOptionalFieldValid() {
        ValidateReinstall command = command(b -> b
                .setSshKey(ED25519_KEY)
                .setPostInstallCallbackUrl("https://billing.example.com/installed?server=42")
                .setPartitionScheme(PartitionScheme.LVM_RAID1)
                .setJenkinsTasks(List.of("monitoring"))
                .setLicences(8));

        assertThat(validator.checkFields(command, PASSWORD, SCRIPT)).isEmpty();
    }

    @Test
    void shouldReportTheFirstFailingFieldInRuleOrder() {
        ValidateReinstall everythingWrong = command(b -> b
                .setHostname("bad_host")
                .setSshKey("not a key")
                .setPostInstallCallbackUrl("ftp://example.com")
                .setLicences(7));

        assertThat(validator.checkFields(everythingWrong, "short", null)).get()
                .extracting(ValidationFailed::getReason).isEqualTo(RejectionReason.INVALID_PASSWORD);
        assertThat(validator.checkFields(everythingWrong, PASSWORD, null)).get()
                .extracting(ValidationFailed::getReason).isEqualTo(RejectionReason.INVALID_HOSTNAME);
        assertThat(validator.checkFields(command(b -> b.setSshKey("not a key").setPostInstallCallbackUrl("ftp://x")), PASSWORD,
                repeat('x', 70_000))).get()
                .extracting(ValidationFailed::getReason).isEqualTo(RejectionReason.INVALID_SSH_KEY);
        assertThat(validator.checkFields(command(b -> b.setPostInstallCallbackUrl("ftp://x").setLicences(7)), PASSWORD,
                repeat('x', 70_000))).get()
                .extracting(ValidationFailed::getReason).isEqualTo(RejectionReason.SCRIPT_TOO_LARGE);
        assertThat(validator.checkFields(command(b -> b.setPostInstallCallbackUrl("ftp://x").setLicences(7)), PASSWORD, null)).get()
                .extracting(ValidationFailed::getReason).isEqualTo(RejectionReason.INVALID_CALLBACK_URL);
    }

    @Nested
    class RootPassword {

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
                "Abcdef1%",                        // 8 characters: the minimum
                "Abcdefghijklmnopqrstuvwxyz012_",  // 30 characters: the maximum
                "Secure-Pass1", "Secure_Pass1", "Secure+Pass1", "Secure%Pass1",
                "1secure_Pass",                    // may start with a digit
                "zZ9-zZ9-zZ9"})
        void shouldAcceptPasswordsThatMeetHostkeysPolicy(String password) {
            assertThat(validator.checkFields(validCommand(), password, null)).isEmpty();
        }

        @ParameterizedTest(name = "''{0}''")
        @NullAndEmptySource
        void shouldRequireARootPassword(String password) {
            assertFailure(validator.checkFields(validCommand(), password, null),
                    RejectionReason.INVALID_PASSWORD, "rootPassword", "required", "8-30 characters");
        }

        static Stream<Arguments> invalidPasswords() {
            return Stream.of(
                    arguments("Abcde1%", "too short", "at least 8"),                    // 7 characters
                    arguments("Abcdefghijklmnopqrstuvwxyz0123_", "too long", "at most 30"), // 31 characters
                    arguments("Abcdefg1@", "may contain only", "@"),
                    arguments("Abcdefg1#", "may contain only", "#"),
                    arguments("Abcd efg1%", "may contain only", "spaces"),
                    arguments("Abcdéfg1%", "may contain only", "A-Z, a-z, 0-9"),
                    arguments("Abcdefg1!", "may contain only", "% - _ +"),
                    arguments("%Abcdefg1", "must start with a letter or a digit", ""),
                    arguments("-Abcdefg1", "must start with a letter or a digit", ""),
                    arguments("_Abcdefg1", "must start with a letter or a digit", ""),
                    arguments("+Abcdefg1", "must start with a letter or a digit", ""),
                    arguments("abcdefg1%", "must contain an upper-case letter", ""),
                    arguments("ABCDEFG1%", "must contain a lower-case letter", ""),
                    arguments("Abcdefgh%", "must contain a digit", ""),
                    arguments("Abcdefgh1", "must contain one of % - _ +", ""));
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @MethodSource("invalidPasswords")
        void shouldSayWhichPasswordRuleFailedWithoutEchoingThePassword(String password, String rule, String detail) {
            Optional<ValidationFailed> result = validator.checkFields(validCommand(), password, null);

            assertFailure(result, RejectionReason.INVALID_PASSWORD, "rootPassword", rule, detail);
            assertThat(result.get().getMessage()).doesNotContain(password);
        }

        @Test
        void shouldNotRevealThePasswordLengthWhenItIsOutOfRange() {
            String message = validator.checkFields(validCommand(), "Ab1%Ab1%Ab1%Ab1%Ab1%Ab1%Ab1%Ab1%Ab1%Ab1%", null)
                    .orElseThrow().getMessage();

            assertThat(message).contains("30").doesNotContain("40");
        }

        @Test
        void shouldCountCharactersNotUtf16UnitsWhenMeasuringAPassword() {
            // 7 characters, 8 UTF-16 units: still too short, and refused for the character anyway.
            assertFailure(validator.checkFields(validCommand(), "Ab1%ab\uD83D\uDE00", null),
                    RejectionReason.INVALID_PASSWORD, "rootPassword", "too short");
        }
    }

    @Nested
    class Hostname {

        private static final String LABEL_63 = repeat('a', 63);

        static Stream<String> validHostnames() {
            return Stream.of(
                    "web-1", "web-1.example.com", "a", "1host", "WEB-1.Example.COM", "xn--e1afmkfd.xn--p1ai", "a--b",
                    LABEL_63, LABEL_63 + ".example.com",
                    // exactly 253 characters
                    LABEL_63 + "." + LABEL_63 + "." + LABEL_63 + "." + repeat('d', 61));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("validHostnames")
        void shouldAcceptRfc1123Hostnames(String hostname) {
            assertThat(checkFields(b -> b.setHostname(hostname))).isEmpty();
        }

        static Stream<Arguments> invalidHostnames() {
            return Stream.of(
                    arguments("", "required"),
                    arguments("wéb.example.com", "U+00E9 at position 2"),
                    arguments("сервер.рф", "U+0441 at position 1"),
                    arguments("web\uD83D\uDE00.example.com", "U+1F600 at position 4"),
                    arguments("web\u200B1.example.com", "U+200B at position 4"),     // zero-width space
                    arguments("web1\uFF0Eexample.com", "U+FF0E at position 5"),      // full-width full stop
                    arguments("web 1.example.com", "U+0020 at position 4"),
                    arguments("web\t1", "U+0009"),
                    arguments("web1\n", "U+000A"),
                    arguments("web\u00001", "U+0000"),
                    arguments("web_1.example.com", "'_' at position 4"),
                    arguments("web-1.example.com.", "must not end with '.'"),
                    arguments(".example.com", "empty label"),
                    arguments("web..example.com", "empty label"),
                    arguments("-web.example.com", "'-web' must not start or end with '-'"),
                    arguments("web-.example.com", "'web-' must not start or end with '-'"),
                    arguments("web.-x.com", "'-x' must not start or end with '-'"),
                    arguments(LABEL_63 + "a.example.com", "label 1 is 64 characters long", "at most 63"),
                    arguments("web." + LABEL_63 + "a", "label 2 is 64 characters long"),
                    arguments(LABEL_63 + "." + LABEL_63 + "." + LABEL_63 + "." + repeat('d', 62),
                            "is 254 characters long", "limit is 253"));
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @MethodSource("invalidHostnames")
        void shouldRejectHostnamesThatAreNotRfc1123(String hostname, String problem) {
            assertFailure(checkFields(b -> b.setHostname(hostname)), RejectionReason.INVALID_HOSTNAME, "hostname", problem);
        }

        @Test
        void shouldApplyTheConfiguredHostnameLimit() {
            ReinstallValidator strict = new ReinstallValidator(new ValidationLimits(65_536, 10));

            assertThat(strict.checkFields(command(b -> b.setHostname("abcdefghij")), PASSWORD, null)).isEmpty();
            assertFailure(strict.checkFields(command(b -> b.setHostname("abcdefghijk")), PASSWORD, null),
                    RejectionReason.INVALID_HOSTNAME, "hostname", "11 characters long", "limit is 10");
        }
    }

    @Nested
    class SshKey {

        @ParameterizedTest(name = "''{0}''")
        @NullAndEmptySource
        void shouldAcceptAMissingSshKey(String sshKey) {
            assertThat(checkFields(b -> b.setSshKey(sshKey))).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("openSshGeneratedKeys")
        void shouldAcceptKeysAsOpenSshWritesThem(String key) {
            assertThat(checkFields(b -> b.setSshKey(key))).isEmpty();
        }

        static Stream<String> openSshGeneratedKeys() {
            return OPENSSH_GENERATED_KEYS.stream();
        }

        static Stream<String> wellFormedKeys() {
            String ed25519 = keyLine("ssh-ed25519", ed25519Blob());
            return Stream.of(
                    ed25519,
                    ed25519 + " admin@example.com",
                    ed25519 + " a comment with spaces",
                    "  " + ed25519 + "  ",
                    "ssh-ed25519\t" + ed25519.substring("ssh-ed25519 ".length()) + "\tadmin",
                    "ssh-ed25519    " + ed25519.substring("ssh-ed25519 ".length()),
                    keyLine("sk-ssh-ed25519@openssh.com",
                            blob(ascii("sk-ssh-ed25519@openssh.com"), filled(32, 7), ascii("ssh:"))) + " yubikey",
                    keyLine("sk-ecdsa-sha2-nistp256@openssh.com",
                            blob(ascii("sk-ecdsa-sha2-nistp256@openssh.com"), ascii("nistp256"), filled(65, 4), ascii("ssh:"))));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("wellFormedKeys")
        void shouldAcceptWellFormedKeysOfEverySupportedType(String key) {
            assertThat(checkFields(b -> b.setSshKey(key))).isEmpty();
        }

        static Stream<Arguments> invalidKeys() {
            String ed25519Data = Base64.getEncoder().encodeToString(ed25519Blob());
            return Stream.of(
                    arguments("blob type mismatch", "ssh-rsa " + ed25519Data + " admin", "does not encode the type in front of it (ssh-rsa)"),
                    arguments("unsupported type", "ssh-dss " + ed25519Data, "must start with a key type"),
                    arguments("options in front", "from=\"10.0.0.1\" " + ED25519_KEY, "must start with a key type"),
                    arguments("private key header", "-----BEGIN OPENSSH PRIVATE KEY----- abc", "must start with a key type"),
                    arguments("type only", "ssh-ed25519", "must look like '<type> <base64> [comment]'"),
                    arguments("type and blank", "ssh-ed25519   ", "must look like"),
                    arguments("not base64", "ssh-ed25519 !!!not-base64!!!", "not valid base64"),
                    arguments("two keys on two lines", ED25519_KEY + "\n" + ED25519_KEY, "single line"),
                    arguments("trailing line break", ED25519_KEY + "\n", "single line"),
                    arguments("carriage return", ED25519_KEY + "\r", "single line"),
                    arguments("empty blob", "ssh-ed25519 AAAA", "does not encode the type in front of it (ssh-ed25519)"),
                    arguments("blob of random bytes", keyLine("ssh-ed25519", filled(40, 0x41)), "does not encode the type in front of it (ssh-ed25519)"),
                    arguments("length prefix longer than the blob",
                            keyLine("ssh-ed25519", ByteBuffer.allocate(8).putInt(1000).put(ascii("ssh-")).array()),
                            "does not encode the type in front of it (ssh-ed25519)"),
                    arguments("ed25519 key too short",
                            keyLine("ssh-ed25519", blob(ascii("ssh-ed25519"), filled(31, 1))), "truncated or damaged"),
                    arguments("ed25519 key missing", keyLine("ssh-ed25519", blob(ascii("ssh-ed25519"))), "truncated or damaged"),
                    arguments("bytes after the key",
                            keyLine("ssh-ed25519", blob(ascii("ssh-ed25519"), filled(32, 1), ascii("extra"))),
                            "truncated or damaged"),
                    arguments("rsa without modulus", keyLine("ssh-rsa", blob(ascii("ssh-rsa"), new byte[] {1, 0, 1})),
                            "truncated or damaged"),
                    arguments("ecdsa curve differs from type",
                            keyLine("ecdsa-sha2-nistp384", blob(ascii("ecdsa-sha2-nistp384"), ascii("nistp256"), filled(65, 4))),
                            "truncated or damaged"),
                    arguments("security key without application",
                            keyLine("sk-ssh-ed25519@openssh.com", blob(ascii("sk-ssh-ed25519@openssh.com"), filled(32, 7))),
                            "truncated or damaged"),
                    arguments("truncated copy of a real key", OPENSSH_GENERATED_KEYS.get(2).substring(0, 120),
                            "truncated or damaged"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidKeys")
        void shouldRejectKeysThatAreNotASingleOpenSshPublicKeyLine(String problem, String key, String message) {
            assertFailure(checkFields(b -> b.setSshKey(key)), RejectionReason.INVALID_SSH_KEY, "sshKey", message);
        }

        @Test
        void shouldRejectARealKeyWhoseTypeWasEditedToAnother() {
            String ed25519 = OPENSSH_GENERATED_KEYS.get(1);
            String relabelled = "ecdsa-sha2-nistp256" + ed25519.substring("ssh-ed25519".length());

            assertFailure(checkFields(b -> b.setSshKey(relabelled)), RejectionReason.INVALID_SSH_KEY, "sshKey",
                    "does not encode the type in front of it (ecdsa-sha2-nistp256)");
        }
    }

    @Nested
    class PostInstallScript {

        @Test
        void shouldAcceptAMissingOrEmptyScript() {
            assertThat(validator.checkFields(validCommand(), PASSWORD, null)).isEmpty();
            assertThat(validator.checkFields(validCommand(), PASSWORD, "")).isEmpty();
        }

        @Test
        void shouldAcceptAScriptOfExactlyTheLimit() {
            assertThat(validator.checkFields(validCommand(), PASSWORD, repeat('x', 65_536))).isEmpty();
        }

        @Test
        void shouldRejectAScriptOneByteOverTheLimitGivingSizeAndLimit() {
            assertFailure(validator.checkFields(validCommand(), PASSWORD, repeat('x', 65_537)),
                    RejectionReason.SCRIPT_TOO_LARGE, "postInstallScript", "65537 bytes", "limit is 65536 bytes");
        }

        @ParameterizedTest(name = "{0} -> {1} bytes, fits: {2}")
        @CsvSource({
                "ééééé,      10, true",    // 2 bytes each
                "ééééé.,     11, false",
                "€€€,         9, true",    // 3 bytes each
                "€€€€,       12, false",
                "\uD83D\uDE00\uD83D\uDE00, 8, true",   // 4 bytes each (surrogate pairs)
                "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00, 12, false"})
        void shouldMeasureTheScriptInUtf8Bytes(String script, int utf8Bytes, boolean fits) {
            assertThat(script.getBytes(StandardCharsets.UTF_8)).hasSize(utf8Bytes);
            ReinstallValidator tenBytes = new ReinstallValidator(new ValidationLimits(10, 253));

            Optional<ValidationFailed> result = tenBytes.checkFields(validCommand(), PASSWORD, script);

            if (fits) {
                assertThat(result).isEmpty();
            } else {
                assertFailure(result, RejectionReason.SCRIPT_TOO_LARGE, "postInstallScript",
                        utf8Bytes + " bytes", "limit is 10 bytes");
            }
        }
    }

    @Nested
    class CallbackUrl {

        @ParameterizedTest(name = "''{0}''")
        @NullAndEmptySource
        @ValueSource(strings = {
                "https://billing.example.com/installed?server=42",
                "http://10.0.0.1:8080/callback",
                "HTTPS://Example.COM",
                "https://user@example.com/cb#done"})
        void shouldAcceptAbsoluteHttpUrlsOrNone(String url) {
            assertThat(checkFields(b -> b.setPostInstallCallbackUrl(url))).isEmpty();
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
                "ftp://example.com/done          | not ftp",
                "file:///etc/passwd              | not file",
                "mailto:ops@example.com          | not mailto",
                "javascript:alert(1)             | not javascript",
                "/installed                      | must be an absolute URL",
                "installed?server=42             | must be an absolute URL",
                "example.com/installed           | must be an absolute URL",
                "https:///installed              | must name a host",
                "http:example.com                | must name a host",
                "http://exa mple.com/            | not a valid URL",
                "https://                        | not a valid URL"})
        void shouldRejectUrlsThatAreNotAbsoluteHttpWithAHost(String url, String problem) {
            assertFailure(checkFields(b -> b.setPostInstallCallbackUrl(url)),
                    RejectionReason.INVALID_CALLBACK_URL, "postInstallCallbackUrl", problem);
        }
    }

    @Nested
    class LicenceCount {

        @ParameterizedTest(name = "{0}")
        @ValueSource(ints = {8, 10, 12, 64})
        void shouldAcceptEightOrMoreInStepsOfTwo(int licences) {
            assertThat(checkFields(b -> b.setLicences(licences))).isEmpty();
        }

        @Test
        void shouldAcceptNoLicencesInTheFieldCheck() {
            assertThat(checkFields(b -> b.setLicences(null))).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(ints = {7, 9, 11, 6, 2, 0, -8})
        void shouldRejectFewerThanEightOrAnOddCount(int licences) {
            assertFailure(checkFields(b -> b.setLicences(licences)), RejectionReason.INVALID_LICENCE_COUNT, "licences",
                    "at least 8, in steps of 2", "got " + licences);
        }
    }

    @Nested
    class SecretsStayOutOfMessages {

        private static final String DISTINCT_PASSWORD = "Zq7xWvbnmkQ3p_";
        private static final String SCRIPT_MARKER = "SECRET-MARKER-4711";

        static Stream<Arguments> failingRequests() {
            String bigScript = ("echo " + SCRIPT_MARKER + "\n").repeat(5_000);
            return Stream.of(
                    // failures about the password itself, for passwords long enough to be recognisable
                    arguments(validCommand(), "Zq7xWvbnmkQ3p", null),               // no special
                    arguments(validCommand(), "zq7xwvbnmkq3p_", null),              // no upper
                    arguments(validCommand(), "Zq7xWvbnmkQ3p_@", null),             // refused character
                    arguments(validCommand(), "_Zq7xWvbnmkQ3p", null),              // special first
                    arguments(validCommand(), "Zq7xWvbnmkQ3p_Zq7xWvbnmkQ3p_Zq7xW", null), // too long
                    // failures elsewhere while the secrets are given
                    arguments(validCommand(), DISTINCT_PASSWORD, bigScript),
                    arguments(command(b -> b.setHostname("bad_host")), DISTINCT_PASSWORD, bigScript),
                    arguments(command(b -> b.setSshKey("ssh-ed25519 nope")), DISTINCT_PASSWORD, "echo " + SCRIPT_MARKER),
                    arguments(command(b -> b.setPostInstallCallbackUrl("ftp://x")), DISTINCT_PASSWORD, "echo " + SCRIPT_MARKER),
                    arguments(command(b -> b.setLicences(7)), DISTINCT_PASSWORD, "echo " + SCRIPT_MARKER));
        }

        @ParameterizedTest
        @MethodSource("failingRequests")
        void shouldNeverPutThePasswordOrScriptIntoAMessage(ValidateReinstall command, String password, String script) {
            ValidationFailed failure = validator.checkFields(command, password, script).orElseThrow();

            assertThat(failure.getMessage())
                    .doesNotContain(password)
                    .doesNotContain(DISTINCT_PASSWORD.substring(0, 8))
                    .doesNotContain(SCRIPT_MARKER);
            assertThat(failure.toString()).doesNotContain(password).doesNotContain(SCRIPT_MARKER);
        }
    }

    // ------------------------------------------------------------ checkAgainstServer

    private static OsOffer os(long id, String name, Map<String, String> tags) {
        return new OsOffer(id, name, true, tags);
    }

    private static final OsOffer UBUNTU = os(101, "Ubuntu 22.04",
            Map.of("bm", "1", "vm", "1", "gpu", "1", "vgpu", "1", "min_ram", "2", "min_hdd", "20"));
    private static final OsOffer WINDOWS = os(201, "Windows Server 2022",
            Map.of("bm", "1", "vm", "0", "min_ram", "4", "min_hdd", "40", "price_per_core_EUR", "1.5"));
    private static final OsOffer ALPINE_VM = os(301, "Alpine 3.20", Map.of("vm", "1"));
    private static final OsOffer CENTOS_RETIRED = new OsOffer(401, "CentOS 7", false, Map.of("bm", "1", "vm", "1"));
    private static final List<OsOffer> OFFERS = List.of(UBUNTU, WINDOWS, ALPINE_VM, CENTOS_RETIRED);

    private static final JenkinsTask GPU_DRIVERS = new JenkinsTask("gpu-drivers", "NVIDIA drivers", List.of("gpu", "vgpu"));
    private static final JenkinsTask MONITORING = new JenkinsTask("monitoring", "Node exporter", List.of("default"));
    private static final JenkinsTask DOCKER = new JenkinsTask("docker", "Docker CE", List.of("bm", "vm"));
    private static final List<JenkinsTask> TASKS = List.of(GPU_DRIVERS, MONITORING, DOCKER);

    private static ServerFacts facts(String type, Integer ramGb, List<Long> disks) {
        return new ServerFacts(42, "rent", "web-1.example.com", "NL", type, ramGb, disks, List.of());
    }

    private static ServerFacts withCores(ServerFacts facts, int cores) {
        return new ServerFacts(facts.id(), facts.status(), facts.hostname(), facts.location(), facts.type(), facts.ramGb(),
                facts.diskSizesGb(), facts.tags(), cores);
    }

    private static final ServerFacts BARE_METAL = facts("bm", 64, List.of(480L, 480L));
    private static final ServerFacts UNKNOWN_SERVER = facts(null, null, List.of());

    private Optional<ValidationFailed> checkAgainst(ServerFacts facts, Consumer<ValidateReinstall.Builder> changes) {
        return validator.checkAgainstServer(command(changes), OFFERS, facts, TASKS);
    }

    @Test
    void shouldAcceptARequestThatFitsTheServer() {
        assertThat(checkAgainst(BARE_METAL, b -> b
                .setPartitionScheme(PartitionScheme.LVM_RAID1)
                .setJenkinsTasks(List.of("monitoring", "docker")))).isEmpty();
    }

    @Test
    void shouldAcceptARequestWithoutJenkinsTasksWhenNoTasksWereRead() {
        assertThat(validator.checkAgainstServer(validCommand(), OFFERS, BARE_METAL, List.of())).isEmpty();
    }

    @Nested
    class OperatingSystem {

        @Test
        void shouldRejectAnOsThatIsNotOfferedNamingTheActiveOffers() {
            Optional<ValidationFailed> result = checkAgainst(BARE_METAL, b -> b.setOsId(999));

            assertFailure(result, RejectionReason.OS_NOT_OFFERED, "osId", "osId 999 is not offered",
                    "choose one of: 101, 201, 301");
            assertThat(result.get().getMessage()).doesNotContain("401");
        }

        @Test
        void shouldRejectAnyOsWhenOsListIsEmpty() {
            assertFailure(validator.checkAgainstServer(validCommand(), List.of(), BARE_METAL, TASKS),
                    RejectionReason.OS_NOT_OFFERED, "osId", "osId 101 is not offered", "offers no active OS");
        }

        @Test
        void shouldRejectAnInactiveOs() {
            assertFailure(checkAgainst(BARE_METAL, b -> b.setOsId(401)), RejectionReason.OS_NOT_OFFERED, "osId",
                    "osId 401 (CentOS 7) is offered but not active", "choose one of: 101, 201, 301");
        }

        @Test
        void shouldPreferAnActiveEntryWhenOsListRepeatsAnId() {
            List<OsOffer> offers = List.of(new OsOffer(101, "Ubuntu 22.04 (old)", false, Map.of("bm", "1")), UBUNTU);

            assertThat(validator.checkAgainstServer(validCommand(), offers, BARE_METAL, TASKS)).isEmpty();
        }

        @Test
        void shouldRejectAnOsNotTaggedForTheServerTypeNamingTheOsesThatFit() {
            assertFailure(checkAgainst(BARE_METAL, b -> b.setOsId(301)), RejectionReason.OS_NOT_FIT, "osId",
                    "osId 301 (Alpine 3.20) does not run on bm servers", "tag bm is not 1", "choose one of: 101, 201");
        }

        static Stream<Arguments> typeFit() {
            return Stream.of(
                    arguments("bm", Map.of("bm", "1"), true),
                    arguments("bm", Map.of("bm", "0", "vm", "1"), false),
                    arguments("bm", Map.of(), false),
                    arguments("vm", Map.of("vm", "1"), true),
                    arguments("vm", Map.of("vds", "1"), true),      // builds that flag VM OSes as vds
                    arguments("vm", Map.of("bm", "1"), false),
                    arguments("gpu", Map.of("gpu", "1"), true),
                    arguments("gpu", Map.of("bm", "1"), false),
                    arguments("vgpu", Map.of("vgpu", "1"), true),
                    arguments("vgpu", Map.of("gpu", "1", "vm", "1"), false),
                    arguments("BM", Map.of("bm", "1"), true),
                    arguments(" gpu ", Map.of("gpu", "1"), true),
                    arguments("bm", Map.of("bm", "true"), true),
                    arguments("bm", Map.of("bm", ""), false));
        }

        @ParameterizedTest(name = "{0} server, OS tags {1} -> fits: {2}")
        @MethodSource("typeFit")
        void shouldRequireTheOsTagOfTheServerType(String type, Map<String, String> tags, boolean fits) {
            List<OsOffer> offers = List.of(os(101, "Some OS", tags));

            Optional<ValidationFailed> result = validator.checkAgainstServer(validCommand(), offers,
                    facts(type, null, List.of()), List.of());

            if (fits) {
                assertThat(result).isEmpty();
            } else {
                assertFailure(result, RejectionReason.OS_NOT_FIT, "osId", "does not run on " + type.strip().toLowerCase(java.util.Locale.ROOT));
            }
        }

        /** Null, blank and type names this code does not know all mean "Hostkey did not say". */
        @ParameterizedTest(name = "type ''{0}''")
        @NullAndEmptySource
        @ValueSource(strings = {"  ", "dedicated", "cloud"})
        void shouldSkipTheTypeCheckWhenTheServerTypeIsUnknown(String type) {
            assertThat(checkAgainst(facts(type, 64, List.of(480L)), b -> b.setOsId(301))).isEmpty();
        }

        @Test
        void shouldTolerateAnOsWithoutTagsOrName() {
            List<OsOffer> offers = List.of(new OsOffer(101, null, true, null));

            assertThat(validator.checkAgainstServer(validCommand(), offers, UNKNOWN_SERVER, List.of())).isEmpty();
            assertFailure(validator.checkAgainstServer(validCommand(), offers, BARE_METAL, List.of()),
                    RejectionReason.OS_NOT_FIT, "osId", "osId 101 does not run on bm servers");
        }
    }

    @Nested
    class Resources {

        @ParameterizedTest(name = "{0} GB RAM, OS needs {1} -> fits: {2}")
        @CsvSource({
                "2,  4,   false",
                "3,  4,   false",
                "4,  4,   true",
                "64, 4,   true",
                "1,  1.5, false",
                "2,  1.5, true"})
        void shouldRequireTheOsMinimumRam(int ramGb, String minRam, boolean fits) {
            List<OsOffer> offers = List.of(os(101, "Some OS", Map.of("bm", "1", "min_ram", minRam)));

            Optional<ValidationFailed> result = validator.checkAgainstServer(validCommand(), offers,
                    facts("bm", ramGb, List.of()), List.of());

            if (fits) {
                assertThat(result).isEmpty();
            } else {
                assertFailure(result, RejectionReason.INSUFFICIENT_RESOURCES, "osId",
                        "needs at least " + minRam + " GB of RAM", "this server has " + ramGb + " GB");
            }
        }

        @ParameterizedTest(name = "min_ram ''{0}''")
        @ValueSource(strings = {"", "lots", "4GB"})
        void shouldLeaveAnUnreadableRamMinimumToHostkey(String minRam) {
            List<OsOffer> offers = List.of(os(101, "Some OS", Map.of("min_ram", minRam)));

            assertThat(validator.checkAgainstServer(validCommand(), offers, facts(null, 1, List.of()), List.of())).isEmpty();
        }

        @Test
        void shouldSkipResourceChecksWhenRamAndDisksAreUnknown() {
            List<OsOffer> offers = List.of(os(101, "Big OS", Map.of("min_ram", "512", "min_hdd", "10000")));

            assertThat(validator.checkAgainstServer(validCommand(), offers, UNKNOWN_SERVER, List.of())).isEmpty();
        }

        static Stream<Arguments> diskRoom() {
            return Stream.of(
                    // scheme, disks, fits a 40 GB minimum, where the message says the room is
                    arguments(null, List.of(30L, 1000L), false, "the smallest disk has 30 GB"),
                    arguments(null, List.of(40L), true, ""),
                    arguments(PartitionScheme.LVM_HBA, List.of(1000L, 30L), false, "LVM_HBA installs on the smallest disk, which has 30 GB"),
                    arguments(PartitionScheme.LVM_HBA, List.of(40L, 1000L), true, ""),
                    arguments(PartitionScheme.LVM_RAID0, List.of(30L, 30L), true, ""),
                    arguments(PartitionScheme.LVM_RAID0, List.of(15L, 20L), false, "LVM_RAID0 over all disks gives 35 GB"),
                    arguments(PartitionScheme.LVM_RAID1, List.of(30L, 30L), false, "the smallest disk has 30 GB"),
                    arguments(PartitionScheme.LVM_RAID1, List.of(40L, 40L), true, ""),
                    arguments(PartitionScheme.LVM_RAID10, List.of(30L, 30L, 30L, 30L), false, "the smallest disk has 30 GB"),
                    arguments(PartitionScheme.LVM_RAID10S, List.of(40L, 40L, 960L, 960L), true, ""));
        }

        @ParameterizedTest(name = "{0} on {1} -> fits: {2}")
        @MethodSource("diskRoom")
        void shouldRequireTheOsMinimumDiskOnTheDisksTheSchemeInstallsOn(PartitionScheme scheme, List<Long> disks,
                                                                        boolean fits, String room) {
            List<OsOffer> offers = List.of(os(101, "Some OS", Map.of("min_hdd", "40")));

            Optional<ValidationFailed> result = validator.checkAgainstServer(command(b -> b.setPartitionScheme(scheme)), offers,
                    facts(null, null, disks), List.of());

            if (fits) {
                assertThat(result).isEmpty();
            } else {
                assertFailure(result, RejectionReason.INSUFFICIENT_RESOURCES, "osId", "needs at least 40 GB of disk", room);
            }
        }
    }

    @Nested
    class LicensedOs {

        @Test
        void shouldRequireLicencesForAnOsPricedPerCore() {
            assertFailure(checkAgainst(BARE_METAL, b -> b.setOsId(201)), RejectionReason.INVALID_LICENCE_COUNT, "licences",
                    "osId 201 (Windows Server 2022) is licensed per core", "1.5 EUR", "at least 8, in steps of 2");
        }

        @ParameterizedTest(name = "{0} licences -> valid: {1}")
        @CsvSource({"7, false", "8, true", "9, false", "10, true", "0, false", "6, false"})
        void shouldRequireEightOrMoreLicencesInStepsOfTwoForALicensedOs(int licences, boolean valid) {
            Optional<ValidationFailed> result = checkAgainst(BARE_METAL, b -> b.setOsId(201).setLicences(licences));

            if (valid) {
                assertThat(result).isEmpty();
            } else {
                assertFailure(result, RejectionReason.INVALID_LICENCE_COUNT, "licences", "at least 8, in steps of 2",
                        "got " + licences);
            }
        }

        @Test
        void shouldNotRequireLicencesForAnOsWithoutAPerCorePrice() {
            List<OsOffer> offers = List.of(os(101, "Some OS", Map.of("price_per_core_EUR", " ")));

            assertThat(checkAgainst(BARE_METAL, b -> b.setLicences(null))).isEmpty();
            assertThat(validator.checkAgainstServer(validCommand(), offers, UNKNOWN_SERVER, List.of())).isEmpty();
        }

        @ParameterizedTest(name = "{1} licences on {0} cores -> covered: {2}")
        @CsvSource({"12, 12, true", "12, 14, true", "12, 10, false", "9, 10, true", "9, 8, false", "4, 8, true", "24, 22, false"})
        void shouldRequireLicencesThatCoverEveryCoreEqShowReports(int cores, int licences, boolean covered) {
            ReinstallValidator.ServerAssessment assessment = validator.assessAgainstServer(
                    command(b -> b.setOsId(201).setLicences(licences)), OFFERS, withCores(BARE_METAL, cores), TASKS);

            if (covered) {
                assertThat(assessment.failure()).isEmpty();
                assertThat(assessment.checked()).contains(ReinstallValidator.CHECK_LICENCES, ReinstallValidator.CHECK_LICENCES_COVER_CORES);
                assertThat(assessment.licences()).as("what create_pxe sends and billing counts").isEqualTo(licences);
            } else {
                assertFailure(assessment.failure(), RejectionReason.INVALID_LICENCE_COUNT, "licences",
                        "osId 201 (Windows Server 2022) is licensed per core", "this server has " + cores + " cores",
                        "got " + licences, "set licences to at least " + PerCoreLicences.minimumFor(cores));
                assertThat(assessment.licences()).as("nothing is sent for a rejected request").isNull();
            }
        }

        @Test
        void shouldListTheCoresCheckAsNotCheckedWhenEqShowGivesNoCores() {
            ReinstallValidator.ServerAssessment assessment = validator.assessAgainstServer(
                    command(b -> b.setOsId(201).setLicences(8)), OFFERS, BARE_METAL, TASKS);

            assertThat(assessment.failure()).isEmpty();
            assertThat(assessment.checked()).contains(ReinstallValidator.CHECK_LICENCES)
                    .doesNotContain(ReinstallValidator.CHECK_LICENCES_COVER_CORES);
            assertThat(assessment.notChecked()).containsExactly(new ReinstallValidator.Unchecked(
                    ReinstallValidator.CHECK_LICENCES_COVER_CORES, "eq/show gave no CPU core count"));
            assertThat(assessment.licences()).isEqualTo(8);

            ReinstallValidator strict = new ReinstallValidator(ValidationLimits.defaults().withStrictServerFacts(true));
            assertFailure(strict.checkAgainstServer(command(b -> b.setOsId(201).setLicences(8)), OFFERS, BARE_METAL, TASKS),
                    RejectionReason.SERVER_FACTS_MISSING, "serverId", "licences-cover-cores (eq/show gave no CPU core count)");
        }

        @Test
        void shouldNeitherCheckNorCarryLicencesForAnOsThatIsNotLicensed() {
            ReinstallValidator.ServerAssessment assessment = validator.assessAgainstServer(
                    command(b -> b.setOsId(101).setLicences(8)), OFFERS, withCores(BARE_METAL, 64), TASKS);

            assertThat(assessment.failure()).isEmpty();
            assertThat(assessment.checked()).doesNotContain(ReinstallValidator.CHECK_LICENCES,
                    ReinstallValidator.CHECK_LICENCES_COVER_CORES);
            assertThat(assessment.notChecked()).isEmpty();
            assertThat(assessment.licences()).as("Ubuntu is not billed per core").isNull();
        }
    }

    @Nested
    class PartitionSchemes {

        /** Hostkey's documented rules: one disk, no RAID; two or more: HBA, RAID0, RAID1; RAID10 (and 10S) four or more. */
        static Stream<Arguments> schemesAndDisks() {
            return Stream.of(
                    arguments(PartitionScheme.LVM_RAID0, List.of(480L), false),
                    arguments(PartitionScheme.LVM_RAID0, List.of(240L, 960L, 4000L), true),

                    arguments(PartitionScheme.LVM_HBA, List.of(480L), false),
                    arguments(PartitionScheme.LVM_HBA, List.of(480L, 960L), true),
                    arguments(PartitionScheme.LVM_HBA, List.of(240L, 480L, 960L), true),

                    arguments(PartitionScheme.LVM_RAID1, List.of(480L), false),
                    arguments(PartitionScheme.LVM_RAID1, List.of(480L, 960L), true),     // no size rule is documented
                    arguments(PartitionScheme.LVM_RAID1, List.of(480L, 480L), true),

                    arguments(PartitionScheme.LVM_RAID10, List.of(480L, 480L), false),
                    arguments(PartitionScheme.LVM_RAID10, List.of(480L, 480L, 480L), false),
                    arguments(PartitionScheme.LVM_RAID10, List.of(480L, 480L, 480L, 480L), true),
                    arguments(PartitionScheme.LVM_RAID10, List.of(480L, 480L, 480L, 480L, 480L), true), // no even-count rule either

                    arguments(PartitionScheme.LVM_RAID10S, List.of(480L, 480L, 480L), false),
                    arguments(PartitionScheme.LVM_RAID10S, List.of(240L, 480L, 960L, 960L), true));
        }

        @ParameterizedTest(name = "{0} on {1} -> fits: {2}")
        @MethodSource("schemesAndDisks")
        void shouldApplyHostkeysDiskRulesForEachScheme(PartitionScheme scheme, List<Long> disks, boolean fits) {
            Optional<ValidationFailed> result = checkAgainst(facts("bm", 64, disks), b -> b.setPartitionScheme(scheme));

            if (fits) {
                assertThat(result).isEmpty();
            } else {
                int count = disks.size();
                assertFailure(result, RejectionReason.PARTITION_SCHEME_UNFIT, "partitionScheme",
                        "partitionScheme " + scheme, "this server has " + count + (count == 1 ? " disk" : " disks"));
            }
        }

        @Test
        void shouldNameTheDiskSizesAndTheSchemesThatFit() {
            assertFailure(checkAgainst(facts("bm", 64, List.of(960L, 480L, 480L)), b -> b.setPartitionScheme(PartitionScheme.LVM_RAID10)),
                    RejectionReason.PARTITION_SCHEME_UNFIT, "partitionScheme", "needs at least 4 disks",
                    "this server has 3 disks (480, 480, 960 GB)", "schemes that fit: LVM_RAID0, LVM_HBA, LVM_RAID1");
            assertFailure(checkAgainst(facts("bm", 64, List.of(480L)), b -> b.setPartitionScheme(PartitionScheme.LVM_RAID1)),
                    RejectionReason.PARTITION_SCHEME_UNFIT, "partitionScheme", "no layout fits one disk: leave partitionScheme out");
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(PartitionScheme.class)
        void shouldLeaveTheSchemeCheckToHostkeyAndSaySoWhenTheDisksAreUnknown(PartitionScheme scheme) {
            ReinstallValidator.ServerAssessment assessment = validator.assessAgainstServer(command(b -> b.setPartitionScheme(scheme)),
                    OFFERS, facts("bm", 64, List.of()), TASKS);
            assertThat(assessment.failure()).isEmpty();
            assertThat(assessment.notChecked()).contains(
                    new ReinstallValidator.Unchecked(ReinstallValidator.CHECK_PARTITION_SCHEME, "eq/show gave no disks"));
            assertThat(assessment.checked()).doesNotContain(ReinstallValidator.CHECK_PARTITION_SCHEME);
        }

        @Test
        void shouldRejectWhatItCannotCheckInStrictMode() {
            ReinstallValidator strict = new ReinstallValidator(ValidationLimits.defaults().withStrictServerFacts(true));
            assertFailure(strict.checkAgainstServer(command(b -> b.setPartitionScheme(PartitionScheme.LVM_RAID1)), OFFERS,
                    facts("bm", 64, List.of()), TASKS), RejectionReason.SERVER_FACTS_MISSING, "serverId",
                    "partition-scheme (eq/show gave no disks)", "VALIDATION_STRICT");
            assertThat(strict.checkAgainstServer(command(b -> b.setPartitionScheme(PartitionScheme.LVM_RAID1)), OFFERS,
                    facts("bm", 64, List.of(480L, 480L)), TASKS)).as("every fact given").isEmpty();
        }

        @Test
        void shouldListTheChecksThatRan() {
            ReinstallValidator.ServerAssessment assessment = validator.assessAgainstServer(
                    command(b -> b.setPartitionScheme(PartitionScheme.LVM_RAID1)), OFFERS, facts("bm", 64, List.of(480L, 480L)), TASKS);
            assertThat(assessment.failure()).isEmpty();
            assertThat(assessment.checked()).contains(ReinstallValidator.CHECK_OS_OFFERED, ReinstallValidator.CHECK_OS_FITS_TYPE,
                    ReinstallValidator.CHECK_PARTITION_SCHEME);
            assertThat(assessment.notChecked()).isEmpty();
            ReinstallValidator.ServerAssessment typeless = validator.assessAgainstServer(command(b -> { }), OFFERS,
                    facts(null, 64, List.of(480L, 480L)), TASKS);
            assertThat(typeless.notChecked()).extracting(ReinstallValidator.Unchecked::check)
                    .contains(ReinstallValidator.CHECK_OS_FITS_TYPE);
        }

        @Test
        void shouldAcceptAnyDisksWhenNoSchemeIsChosen() {
            assertThat(checkAgainst(facts("bm", 64, List.of(480L)), b -> b.setPartitionScheme(null))).isEmpty();
        }
    }

    @Nested
    class Jenkins {

        @Test
        void shouldRejectAnUnknownTaskNamingItAndTheKnownOnes() {
            assertFailure(checkAgainst(BARE_METAL, b -> b.setJenkinsTasks(List.of("monitoring", "mining"))),
                    RejectionReason.UNKNOWN_JENKINS_TASK, "jenkinsTasks", "task 'mining'",
                    "known tasks: gpu-drivers, monitoring, docker");
        }

        @Test
        void shouldRejectARequestedTaskWhenJenkinsListsNone() {
            assertFailure(validator.checkAgainstServer(command(b -> b.setJenkinsTasks(List.of("docker"))), OFFERS, BARE_METAL,
                    List.of()), RejectionReason.UNKNOWN_JENKINS_TASK, "jenkinsTasks", "task 'docker'", "lists no tasks");
        }

        @Test
        void shouldRejectATaskNotTaggedForTheServerType() {
            assertFailure(checkAgainst(BARE_METAL, b -> b.setJenkinsTasks(List.of("gpu-drivers"))),
                    RejectionReason.JENKINS_TASK_NOT_FIT, "jenkinsTasks",
                    "task 'gpu-drivers' (NVIDIA drivers) is not meant for bm servers", "its tags: gpu, vgpu");
        }

        static Stream<Arguments> taskFit() {
            return Stream.of(
                    arguments("gpu", "gpu-drivers", true),
                    arguments("vgpu", "gpu-drivers", true),
                    arguments("vm", "gpu-drivers", false),
                    arguments("bm", "docker", true),
                    arguments("vm", "docker", true),
                    arguments("gpu", "docker", false),
                    arguments("bm", "monitoring", true),
                    arguments("vm", "monitoring", true),
                    arguments("gpu", "monitoring", true),
                    arguments("vgpu", "monitoring", true));
        }

        @ParameterizedTest(name = "{1} on {0} -> fits: {2}")
        @MethodSource("taskFit")
        void shouldAcceptTasksTaggedForTheTypeOrDefault(String type, String task, boolean fits) {
            Optional<ValidationFailed> result = checkAgainst(facts(type, null, List.of()), b -> b.setJenkinsTasks(List.of(task)));

            if (fits) {
                assertThat(result).isEmpty();
            } else {
                assertFailure(result, RejectionReason.JENKINS_TASK_NOT_FIT, "jenkinsTasks", "not meant for " + type);
            }
        }

        @Test
        void shouldRejectATaskWithoutTags() {
            List<JenkinsTask> tasks = List.of(new JenkinsTask("cleanup", null, null));

            assertFailure(validator.checkAgainstServer(command(b -> b.setJenkinsTasks(List.of("cleanup"))), OFFERS, BARE_METAL, tasks),
                    RejectionReason.JENKINS_TASK_NOT_FIT, "jenkinsTasks", "its tags: none");
        }

        @Test
        void shouldCheckOnlyExistenceWhenTheServerTypeIsUnknown() {
            assertThat(checkAgainst(UNKNOWN_SERVER, b -> b.setJenkinsTasks(List.of("gpu-drivers")))).isEmpty();
            assertFailure(checkAgainst(UNKNOWN_SERVER, b -> b.setJenkinsTasks(List.of("mining"))),
                    RejectionReason.UNKNOWN_JENKINS_TASK, "jenkinsTasks", "task 'mining'");
        }

        @Test
        void shouldReportAnUnknownTaskBeforeAnUnfitOne() {
            assertThat(checkAgainst(BARE_METAL, b -> b.setJenkinsTasks(List.of("gpu-drivers", "mining")))).get()
                    .extracting(ValidationFailed::getReason).isEqualTo(RejectionReason.UNKNOWN_JENKINS_TASK);
        }
    }

    @Test
    void shouldReportServerFailuresInRuleOrder() {
        ServerFacts tiny = facts("vm", 1, List.of(10L));
        List<JenkinsTask> noTasks = List.of();
        Consumer<ValidateReinstall.Builder> allWrong = b -> b
                .setPartitionScheme(PartitionScheme.LVM_RAID10)
                .setJenkinsTasks(List.of("mining"));
        List<RejectionReason> reasons = new ArrayList<>();
        // Each step removes the cause of the previous failure.
        reasons.add(validator.checkAgainstServer(command(allWrong.andThen(b -> b.setOsId(999))), OFFERS, tiny, noTasks)
                .orElseThrow().getReason());
        reasons.add(validator.checkAgainstServer(command(allWrong.andThen(b -> b.setOsId(201))), OFFERS, tiny, noTasks)
                .orElseThrow().getReason());
        reasons.add(validator.checkAgainstServer(command(allWrong.andThen(b -> b.setOsId(201))), OFFERS,
                facts("bm", 1, List.of(10L)), noTasks).orElseThrow().getReason());
        reasons.add(validator.checkAgainstServer(command(allWrong.andThen(b -> b.setOsId(201))), OFFERS,
                facts("bm", 64, List.of(480L)), noTasks).orElseThrow().getReason());
        reasons.add(validator.checkAgainstServer(command(allWrong.andThen(b -> b.setOsId(201).setLicences(8))), OFFERS,
                facts("bm", 64, List.of(480L)), noTasks).orElseThrow().getReason());
        reasons.add(validator.checkAgainstServer(command(allWrong.andThen(b -> b.setOsId(201).setLicences(8))), OFFERS,
                facts("bm", 64, IntStream.range(0, 4).mapToObj(i -> 480L).toList()), noTasks).orElseThrow().getReason());

        assertThat(reasons).containsExactly(
                RejectionReason.OS_NOT_OFFERED,
                RejectionReason.OS_NOT_FIT,
                RejectionReason.INSUFFICIENT_RESOURCES,
                RejectionReason.INVALID_LICENCE_COUNT,
                RejectionReason.PARTITION_SCHEME_UNFIT,
                RejectionReason.UNKNOWN_JENKINS_TASK);
    }
}

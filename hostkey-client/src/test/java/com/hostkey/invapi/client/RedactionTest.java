package com.hostkey.invapi.client;

import static com.hostkey.invapi.client.FakeInvapi.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.hostkey.invapi.client.HostkeyApi.BootMedia;
import com.hostkey.invapi.client.HostkeyApi.CreatePxeRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** No secret reaches a log line or an exception message, whatever the call and its outcome. */
class RedactionTest extends InvapiTestBase {

    private static final String ROOT_PASS = "Rt0-pass-SECRET";
    private static final String SCRIPT = "#!/bin/sh\necho script-SECRET";
    private static final String SSH_KEY = "ssh-ed25519 AAAAC3-SECRET-key";
    private static final String CALLBACK = "f685eaa0f06e47faa2e6bb5002828b00";

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<String> exceptionTexts = new ArrayList<>();
    private Logger logger;

    @BeforeEach
    void captureLogs() {
        logger = (Logger) LoggerFactory.getLogger(HostkeyClient.class);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(appender);
    }

    @Test
    void shouldKeepEverySecretOutOfLogsAndExceptions() {
        // Hostkey echoing the token and the PIN back in an error must not leak them either.
        invapi.enqueue("eq/reboot",
                json("{\"code\":-1,\"message\":\"Invalid hash " + FakeInvapi.token(1) + "\"}"),
                json("{\"code\":-1,\"message\":\"eq/reboot: server locked, token " + FakeInvapi.token(2) + "\"}"));
        invapi.enqueue("eq/boot_dev", json("{\"code\":-1,\"message\":\"wrong pin " + FakeInvapi.PIN + "\"}"));
        invapi.enqueue("eq/create_pxe", json(ok("\"callback\":\"" + CALLBACK + "\"")));

        client.createPxe("default", new CreatePxeRequest(SERVER, 101, ROOT_PASS, "h1", SSH_KEY, null, SCRIPT,
                "bbbb0000bbbb0000bbbb0000bbbb0000", "LVM_RAID1"));
        capture(() -> client.reboot("default", SERVER));
        capture(() -> client.bootDevice("default", SERVER, BootMedia.PXE));
        capture(() -> client.checkCallback(CALLBACK));
        exceptionTexts.add(client.config().toString());

        List<String> logged = new ArrayList<>();
        for (ILoggingEvent e : appender.list) {
            logged.add(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                logged.add(t.getMessage());
            }
        }
        List<String> everything = new ArrayList<>(logged);
        everything.addAll(exceptionTexts);

        assertThat(logged).as("one debug line per call attempt")
                .anyMatch(l -> l.contains("eq/create_pxe") && l.contains("server=4242") && l.contains("outcome=ok")
                        && l.contains("latencyMs="))
                .anyMatch(l -> l.contains("auth/login") && l.contains("key=***"))
                .anyMatch(l -> l.contains("eq/reboot") && l.contains("outcome=stale_token"))
                .anyMatch(l -> l.contains("eq/boot_dev") && l.contains("outcome=wrong_pin") && l.contains("pin=***"));
        assertThat(exceptionTexts).anyMatch(t -> t.contains("server locked, token ***"));
        for (String secret : List.of(FakeInvapi.API_KEY, FakeInvapi.PIN, FakeInvapi.token(1), FakeInvapi.token(2),
                ROOT_PASS, "script-SECRET", SSH_KEY, "bbbb0000bbbb0000bbbb0000bbbb0000")) {
            assertThat(everything).as("no line holds " + secret).noneMatch(l -> l != null && l.contains(secret));
        }
    }

    @Test
    void shouldMaskSecretFormFieldsOneByOne() {
        Map<String, String> redacted = HostkeyClient.redact(Map.of(
                "action", "create_pxe", "id", "1", "token", "t", "key", "k", "pin", "p", "root_pass", "r",
                "post_install_script", "s", "ssh_key", "ssh", "hostname", "h1"));

        assertThat(redacted).containsEntry("action", "create_pxe").containsEntry("id", "1").containsEntry("hostname", "h1")
                .containsEntry("token", "***").containsEntry("key", "***").containsEntry("pin", "***")
                .containsEntry("root_pass", "***").containsEntry("post_install_script", "***")
                .containsEntry("ssh_key", "***");
    }

    @Test
    void shouldMaskCredentialsAndPxeRequestInToString() {
        assertThat(new Credentials(FakeInvapi.API_KEY, FakeInvapi.PIN).toString())
                .doesNotContain(FakeInvapi.API_KEY).doesNotContain(FakeInvapi.PIN);
        assertThat(new CreatePxeRequest(1, 2, ROOT_PASS, "h", SSH_KEY, null, SCRIPT, null, null).toString())
                .doesNotContain(ROOT_PASS).doesNotContain("script-SECRET").doesNotContain(SSH_KEY);
    }

    private void capture(Runnable call) {
        try {
            call.run();
        } catch (HostkeyException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                exceptionTexts.add(t.getMessage());
                exceptionTexts.add(t.toString());
            }
        }
    }
}

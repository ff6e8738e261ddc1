package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogMaskingTest {

    private final Logger simulatorLogger = (Logger) LoggerFactory.getLogger("com.hostkey.invapi.simulator");
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

    @BeforeEach
    void capture() {
        captured.start();
        simulatorLogger.addAppender(captured);
        simulatorLogger.setLevel(Level.DEBUG);
        simulatorLogger.setAdditive(false);
    }

    @AfterEach
    void release() {
        simulatorLogger.detachAppender(captured);
        simulatorLogger.setLevel(null);
        simulatorLogger.setAdditive(true);
    }

    @Test
    void shouldNeverLogApiKeyTokenPinRootPasswordOrScript() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String masterKey = s.reinstallKey(1001);
            s.completes("create_pxe", 1001, "pin", InvapiHttp.PIN, "os_id", "101", "root_pass", "Log5ecret-Pw",
                    "hostname", "n.example.net", "post_install_script", "echo script-secret", "reinstall_key", masterKey);
            s.eq("reboot", 1001, "pin", "9876");
            String logs = captured.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.joining("\n"));
            assertThat(logs).contains("eq/create_pxe", "root_pass=***")
                    .doesNotContain(InvapiHttp.API_KEY, s.token, "Log5ecret-Pw", "script-secret", "9876", "pin=" + InvapiHttp.PIN);
        }
    }
}

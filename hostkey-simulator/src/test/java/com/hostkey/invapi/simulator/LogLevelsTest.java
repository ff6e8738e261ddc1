package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Pollers check callback keys many times a minute: those lines must not reach INFO. */
class LogLevelsTest {

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
    void shouldLogChecksAndReadsAtDebugAndEachStateChangingCallOnceAtInfo() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String key = s.eq("reboot", 1001, "pin", InvapiHttp.PIN).path("callback").asText();
            for (int i = 0; i < 5; i++) {
                s.api.check(key);
            }
            s.eq("show", 1001);
            s.api.call("os", "action", "list", "token", s.token, "id", "1001");
            s.eq("reinstall", 1001);

            List<String> info = messages(Level.INFO, "InvapiHttpHandler", "Invapi");
            assertThat(info).noneMatch(m -> m.contains("eq_callback/check"))
                    .noneMatch(m -> m.contains("eq/show"))
                    .noneMatch(m -> m.contains("os/list"));
            assertThat(info).filteredOn(m -> m.startsWith("eq/reboot")).hasSize(1);
            assertThat(info).filteredOn(m -> m.startsWith("auth/login")).hasSize(1);
            assertThat(info).filteredOn(m -> m.contains("reinstall")).as("one line per reinstall call").hasSize(1);
            assertThat(messages(Level.DEBUG, "InvapiHttpHandler")).filteredOn(m -> m.startsWith("eq_callback/check"))
                    .hasSize(5);
        }
    }

    @Test
    void shouldLogInjectedFaultsAtInfoEvenOnReads() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().on("eq_callback", "check").serverError(1.0).times(1);
            s.api.raw("eq_callback", java.time.Duration.ofSeconds(5), "action", "check", "key", "k");

            assertThat(messages(Level.INFO, "InvapiHttpHandler")).anyMatch(m -> m.contains("FAULT: HTTP_503"));
        }
    }

    private List<String> messages(Level level, String... loggers) {
        List<String> names = List.of(loggers);
        return captured.list.stream()
                .filter(e -> e.getLevel() == level)
                .filter(e -> names.contains(e.getLoggerName().substring(e.getLoggerName().lastIndexOf('.') + 1)))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }
}

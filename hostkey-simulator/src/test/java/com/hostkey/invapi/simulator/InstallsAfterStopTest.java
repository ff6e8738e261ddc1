package com.hostkey.invapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Instant;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** The report's installsAfterStop (part of clean()) and interruptedInstalls (informational). */
class InstallsAfterStopTest {

    @Test
    void shouldFlagStaleRebootIntoPxeAfterTheReinstallWasToldToStopEvenWhenCompensated() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.createPxe(1001, s.reinstallKey(1001));
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");
            s.sim.reinstallStopped(1001, "deadline passed");
            assertThat(s.sim.invariantReport().installsAfterStop()).as("the stop alone breaks nothing").isEmpty();

            s.completes("reboot", 1001, "pin", InvapiHttp.PIN);
            assertThat(s.sim.server(1001).installRunning()).isTrue();
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("clear_pxe", 1001, "hostname", "new1001.example.net");

            InvariantReport report = s.sim.invariantReport();
            assertThat(report.serversWithPxeLeft()).isEmpty();
            assertThat(report.serversNotBootingFromDisk()).isEmpty();
            assertThat(report.suddenReinstalls()).isZero();
            assertThat(report.installsAfterStop()).as("one stop broken by the reboot and the install: counted once")
                    .containsExactly(1001L);
            assertThat(report.interruptedInstalls()).containsExactly(1001L);
            assertThat(report.clean()).isFalse();
        }
    }

    @Test
    void shouldFlagInstallStartingAfterTheStopFromARebootAcceptedBeforeIt() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.createPxe(1001, s.reinstallKey(1001));
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");
            assertThat(s.eq("reboot", 1001, "pin", InvapiHttp.PIN).path("result").asText()).isEqualTo("OK");
            s.advance(2);
            s.sim.reinstallStopped(1001);
            assertThat(s.sim.invariantReport().installsAfterStop()).isEmpty();

            s.advance(3);

            assertThat(s.sim.server(1001).installsStarted()).isEqualTo(1);
            assertThat(s.sim.invariantReport().installsAfterStop()).containsExactly(1001L);
        }
    }

    @Test
    void shouldFlagEveryInstallMoveAfterTheStopEvenWithoutAnInstallStarting() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String master = s.reinstallKey(1001);
            s.completes("boot_dev", 1003, "pin", InvapiHttp.PIN, "media", "pxe");
            for (long id = 1001; id <= 1004; id++) {
                s.sim.reinstallStopped(id, "cancelled");
            }

            s.createPxe(1001, master);
            s.completes("boot_dev", 1002, "pin", InvapiHttp.PIN, "media", "pxe");
            s.completes("reboot", 1003, "pin", InvapiHttp.PIN);
            s.completes("reboot", 1004, "pin", InvapiHttp.PIN);
            s.completes("boot_dev", 1004, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("clear_pxe", 1004, "hostname", "srv1004.example.net");

            InvariantReport report = s.sim.invariantReport();
            assertThat(report.reinstallCounts()).as("no server caught PXE").isEmpty();
            assertThat(report.installsAfterStop())
                    .as("create_pxe, boot_dev pxe and a reboot from pxe are flagged; a reboot from disk is not")
                    .containsExactly(1001L, 1002L, 1003L);
            assertThat(report.clean()).isFalse();
        }
    }

    @Test
    void shouldStayCleanWhenTheStopIsFollowedByBootFromDiskAndClearPxe() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.createPxe(1001, s.reinstallKey(1001));
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");
            s.sim.reinstallStopped(1001, "deadline passed");

            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("clear_pxe", 1001, "hostname", "new1001.example.net");

            InvariantReport report = s.sim.invariantReport();
            assertThat(report.installsAfterStop()).isEmpty();
            assertThat(report.interruptedInstalls()).as("no install had started").isEmpty();
            assertThat(report.reinstallCounts()).isEmpty();
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void shouldClearTheStopOnANewReinstallAndStayCleanThroughItsNormalFlow() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.createPxe(1001, s.reinstallKey(1001));
            s.sim.reinstallStopped(1001, "failed");

            String master = s.startInstall(1001);
            s.finishInstall(master);
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("clear_pxe", 1001, "hostname", "new1001.example.net");

            InvariantReport report = s.sim.invariantReport();
            assertThat(report.installsAfterStop()).isEmpty();
            assertThat(report.interruptedInstalls()).isEmpty();
            assertThat(report.reinstallCounts()).containsExactly(entry(1001L, 1));
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void shouldCountEachBrokenStopOnceAndKeepItAfterTheNextReinstall() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String stopped = s.reinstallKey(1001);
            s.sim.reinstallStopped(1001);
            s.createPxe(1001, stopped);
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");
            assertThat(s.sim.invariantReport().installsAfterStop()).containsExactly(1001L);

            s.reinstallKey(1001);
            s.sim.reinstallStopped(1001);
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "pxe");
            assertThat(s.sim.invariantReport().installsAfterStop()).containsExactly(1001L, 1001L);

            String master = s.startInstall(1001);
            s.finishInstall(master);
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("clear_pxe", 1001, "hostname", "new1001.example.net");

            InvariantReport report = s.sim.invariantReport();
            assertThat(report.installsAfterStop()).as("history, not state").containsExactly(1001L, 1001L);
            assertThat(report.serversWithPxeLeft()).isEmpty();
            assertThat(report.serversNotBootingFromDisk()).isEmpty();
            assertThat(report.clean()).isFalse();
        }
    }

    @Test
    void shouldKeepTheFirstStopWhenToldAgainAndRefuseUnknownServers() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            Instant first = s.sim.reinstallStopped(1001, "deadline passed");
            s.advance(10);

            assertThat(s.sim.reinstallStopped(1001, "cancelled")).isEqualTo(first);
            assertThatThrownBy(() -> s.sim.reinstallStopped(4242)).isInstanceOf(NoSuchElementException.class);
        }
    }

    @Test
    void shouldNotFlagAnInstallThatStartedBeforeTheStop() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.startInstall(1001);
            s.advance(60);
            s.sim.reinstallStopped(1001, "deadline passed");

            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("clear_pxe", 1001, "hostname", "new1001.example.net");

            InvariantReport report = s.sim.invariantReport();
            assertThat(report.installsAfterStop()).isEmpty();
            assertThat(report.interruptedInstalls()).containsExactly(1001L);
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void shouldCountAnInstallInterruptedBeforeStage5OnceWithoutMakingTheReportDirty() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            String finished = s.startInstall(1002);
            s.finishInstall(finished);
            s.completes("boot_dev", 1002, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("clear_pxe", 1002, "hostname", "new1002.example.net");

            s.startInstall(1001);
            s.advance(300);
            assertThat(s.sim.server(1001).currentInstallStage()).isEqualTo(2);
            s.completes("clear_pxe", 1001, "hostname", "new1001.example.net");
            assertThat(s.sim.invariantReport().interruptedInstalls()).as("clear_pxe alone interrupts").containsExactly(1001L);
            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("reboot", 1001, "pin", InvapiHttp.PIN);

            InvariantReport report = s.sim.invariantReport();
            assertThat(report.interruptedInstalls()).as("1001 once for clear_pxe then boot_dev disk; 1002 finished")
                    .containsExactly(1001L);
            assertThat(report.serversInstalling()).isEmpty();
            assertThat(report.installsAfterStop()).isEmpty();
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void shouldNotCountAnInstallThatFailedOnItsOwnAsInterrupted() {
        try (SlowSim s = new SlowSim(SlowSim.config())) {
            s.sim.faults().installFailsAt(1001, 3);
            s.startInstall(1001);
            s.advance(480);
            assertThat(s.sim.server(1001).installRunning()).isFalse();

            s.completes("boot_dev", 1001, "pin", InvapiHttp.PIN, "media", "disk");
            s.completes("clear_pxe", 1001, "hostname", "new1001.example.net");

            assertThat(s.sim.invariantReport().interruptedInstalls()).isEmpty();
        }
    }
}

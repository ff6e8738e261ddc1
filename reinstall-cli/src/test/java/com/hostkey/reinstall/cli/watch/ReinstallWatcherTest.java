package com.hostkey.reinstall.cli.watch;

import static com.hostkey.reinstall.cli.ProjectorJson.completed;
import static com.hostkey.reinstall.cli.ProjectorJson.history;
import static com.hostkey.reinstall.cli.ProjectorJson.installing;
import static com.hostkey.reinstall.cli.ProjectorJson.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.FakeProjector;
import com.hostkey.reinstall.cli.ProjectorJson;
import com.hostkey.reinstall.testkit.MutableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReinstallWatcherTest {

    private final MutableClock clock = new MutableClock(ProjectorJson.at(100));
    private final FakeProjector projector = new FakeProjector();
    private final StringWriter out = new StringWriter();
    private final List<String> warnings = new ArrayList<>();

    private int watch(Duration timeout, WatchTarget... targets) {
        ReinstallWatcher watcher = new ReinstallWatcher(projector, clock, clock::advance,
                new HumanProgressRenderer(new PrintWriter(out, true), clock.instant()), warnings::add, Duration.ofSeconds(1),
                Duration.ofMinutes(1));
        return watcher.watch(List.of(targets), timeout);
    }

    private long lines(String part) {
        return out.toString().lines().filter(line -> line.contains(part)).count();
    }

    @Test
    void shouldPrintEntriesWithTheTimeSinceTheWatchBeganAndTheBar() {
        projector.server(1001).then(state(1001, "r-1", "q-1").phase("QUEUED").progress(0, "queued (#2)").json(), null)
                .then(state(1001, "r-1", "q-1").phase("QUEUED").progress(0, "queued (#2)").json(), null)
                .then(state(1001, "r-1", "q-1").phase("CREATING_PXE_CONFIG").progress(2, "2/9 PXE config")
                        .steps("done", "in progress", "pending", "pending", "pending", "pending", "pending", "pending", "pending")
                        .starts(1.0, 2.0, null, null, null, null, null, null, null).json(),
                        history(1001).entry(1.5, "ReinstallKeyCreated", "r-1", 1, "INFO", "reinstall key created").json())
                .then(completed(1001, "r-1", "q-1").json(), null);

        int code = watch(Duration.ofMinutes(5), new WatchTarget.Current(1001));

        assertThat(code).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("[   +0.0s] 1001 [--------------------]   0%     following reinstall r-1 (request q-1): queued (#2)")
                .contains("[   +2.0s] 1001 [##------------------]  11% 1/9 reinstall key created")
                .contains("[   +2.0s] 1001 [##------------------]  11%     now 2/9 PXE config");
    }

    @Test
    void shouldSayWhereThingsStandWhenNothingHappensForAWhile() {
        projector.server(1001).then(state(1001, "r-1", "q-1").phase("QUEUED").progress(0, "queued (#3)").json(), null);

        int code = watch(Duration.ofMinutes(3), new WatchTarget.Current(1001));

        assertThat(code).isEqualTo(ExitCode.TIMEOUT);
        assertThat(lines("still queued (#3)")).isEqualTo(2);
        assertThat(out.toString()).contains("[  +1m00s] 1001").contains("[  +2m00s] 1001");
    }

    @Test
    void shouldPrintTheEntriesTheProjectorFilesJustAfterTheEnd() {
        String toStage2 = history(1001).throughStage2("r-1", "q-1").json();
        projector.server(1001).then(installing(1001, "r-1", "q-1").json(), toStage2)
                .then(completed(1001, "r-1", "q-1").json(), toStage2)
                .atLastLook(history(1001).throughStage2("r-1", "q-1").toCompletion("r-1").json());

        int code = watch(Duration.ofMinutes(5), new WatchTarget.Current(1001));

        assertThat(code).isEqualTo(ExitCode.OK);
        assertThat(lines("9/9 clear PXE config: done")).isEqualTo(1);
        assertThat(out.toString().indexOf("clear PXE config: done")).isLessThan(out.toString().indexOf("Outcome: COMPLETED"));
        assertThat(clock.instant()).isEqualTo(ProjectorJson.at(101).plus(ReinstallWatcher.LAST_LOOK_DELAY));
    }

    @Test
    void shouldKeepAskingAProjectorThatNeverAnswersWithOneWarningUntilTheTimeout() {
        projector.server(1001).thenFails(CliException.unavailable("the state projector at http://p:1 refused the connection", null, null));

        int code = watch(Duration.ofSeconds(30), new WatchTarget.Current(1001));

        assertThat(code).isEqualTo(ExitCode.TIMEOUT);
        assertThat(warnings).containsExactly("the state projector at http://p:1 refused the connection; asking again every 1.0s until the watch times out");
        assertThat(projector.server(1001).stateRequests).isEqualTo(31);
    }

    @Test
    void shouldWarnAgainOnlyForASecondOutage() {
        CliException down = CliException.unavailable("the state projector at http://p:1 is not ready (HTTP 503)", "retry shortly", null);
        projector.server(1001).thenFails(down).then(installing(1001, "r-1", "q-1").json(), null).thenFails(down).thenFails(down)
                .then(completed(1001, "r-1", "q-1").json(), null);

        assertThat(watch(Duration.ofMinutes(1), new WatchTarget.Current(1001))).isEqualTo(ExitCode.OK);
        assertThat(warnings).hasSize(2);
    }

    @Test
    void shouldEndTheWatchWhenTheTokenIsRefused() {
        projector.server(1001).thenFails(new CliException(ExitCode.PERMISSION, "--token", "refused (HTTP 403)", null));

        assertThatThrownBy(() -> watch(Duration.ofMinutes(1), new WatchTarget.Current(1001)))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.PERMISSION));
    }
}

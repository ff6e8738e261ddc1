package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.testkit.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.cli.Events;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.FakeFeed;
import com.hostkey.reinstall.cli.kafka.FeedItem;
import com.hostkey.reinstall.cli.progress.ProgressModel;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReinstallWatcherTest {

    private final MutableClock clock = new MutableClock(Events.at(0));
    private final FakeFeed feed = new FakeFeed(clock);
    private final StringWriter out = new StringWriter();
    private final Events events = new Events(1001, "r-1", "q-1");

    private int watch(Duration heartbeat, Duration timeout, ProgressModel... models) {
        ReinstallWatcher watcher = new ReinstallWatcher(feed, clock, new HumanProgressRenderer(new PrintWriter(out, true)), heartbeat);
        return watcher.watch(List.of(models), timeout);
    }

    @Test
    void shouldPrintOneLinePerFactWithTheTimeSinceTheWatchBegan() {
        feed.then(events.event(1, Events.validated()));
        clock.advance(Duration.ofSeconds(4));
        feed.then(events.event(5, Events.keyCreated())).then(events.completion(6, Events.completedOutcome()));

        int code = watch(Duration.ZERO, Duration.ofMinutes(5), ProgressModel.forServer(1001));

        assertThat(code).isEqualTo(ExitCode.OK);
        assertThat(out.toString()).contains("] 1001 [--------------------]   0%     validated")
                .contains("1001 [##------------------]  11% 1/9 reinstall key created");
    }

    @Test
    void shouldSayWhereThingsStandWhenNothingHappensForAWhile() {
        ProgressModel model = ProgressModel.forServer(1001);
        feed.thenAll(events.throughInstall().subList(0, 10));

        int code = watch(Duration.ofMinutes(1), Duration.ofMinutes(3), model);

        assertThat(code).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.toString()).contains("still in 6/9 installer stages 2-5 (stage 1/5) for ");
        assertThat(out.toString().lines().filter(l -> l.contains("still in")).count()).isBetween(2L, 3L);
    }

    @Test
    void shouldFoldEventsThatRacedTheCompletionIntoTheFinalTableWithoutPrintingThemAfterIt() {
        List<com.hostkey.reinstall.schemas.avro.ReinstallEvent> all = events.happyPath();
        feed.thenAll(all.subList(0, all.size() - 1))
                .then(events.completion(70, Events.completedOutcome()))
                .then(all.getLast());

        int code = watch(Duration.ZERO, Duration.ofMinutes(5), ProgressModel.forServer(1001));

        assertThat(code).isEqualTo(ExitCode.OK);
        String text = out.toString();
        assertThat(text).doesNotContain("clear PXE config: done");
        assertThat(text).containsPattern("\\[x] 9 clear PXE config\\s+1\\.0s");
    }

    @Test
    void shouldReportARecordItCannotRead() {
        feed.then(new FeedItem.Unreadable(1001, "reinstall-events", 3, 42, "unknown schema id 9"))
                .then(events.completion(1, Events.completedOutcome()));

        watch(Duration.ZERO, Duration.ofMinutes(1), ProgressModel.forServer(1001));

        assertThat(out.toString()).contains("warning: a record of server 1001 on reinstall-events (partition 3, offset 42) cannot be read");
    }

    @Test
    void shouldIgnoreServersItDoesNotWatch() {
        Events other = new Events(2002, "r-9", "q-9");
        feed.then(other.event(1, Events.accepted(AsyncActionKind.REBOOT)), other.completion(2, Events.completedOutcome()));

        int code = watch(Duration.ZERO, Duration.ofSeconds(5), ProgressModel.forServer(1001));

        assertThat(code).isEqualTo(ExitCode.TIMEOUT);
        assertThat(out.toString()).doesNotContain("reboot: requested").doesNotContain("COMPLETED");
    }
}

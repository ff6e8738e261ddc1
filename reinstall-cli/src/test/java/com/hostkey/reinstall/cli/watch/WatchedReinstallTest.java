package com.hostkey.reinstall.cli.watch;

import static com.hostkey.reinstall.cli.ProjectorJson.completed;
import static com.hostkey.reinstall.cli.ProjectorJson.failedInReboot;
import static com.hostkey.reinstall.cli.ProjectorJson.history;
import static com.hostkey.reinstall.cli.ProjectorJson.installing;
import static com.hostkey.reinstall.cli.ProjectorJson.validating;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.ProjectorJson;
import com.hostkey.reinstall.cli.progress.Outcome;
import com.hostkey.reinstall.cli.state.HistoryEntryView;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.schemas.ReinstallIds;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WatchedReinstallTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Optional<ReinstallStateView> state(ProjectorJson.State state) throws Exception {
        return Optional.of(ReinstallStateView.from(JSON.readTree(state.json())));
    }

    private static List<HistoryEntryView> entries(ProjectorJson.History history) throws Exception {
        return HistoryEntryView.listFrom(JSON.readTree(history.json()));
    }

    private static List<String> summaries(WatchedReinstall.News news) {
        return news.entries().stream().map(HistoryEntryView::summary).toList();
    }

    @Test
    void shouldGiveEachEntryOnceHoweverOftenTheProjectorIsAsked() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Current(1001));
        ProjectorJson.History history = history(1001).entry(0.5, "ReinstallValidated", "r-1", 0, "INFO", "validated");

        assertThat(summaries(watched.look(state(validating(1001, "r-1", "q-1")), entries(history)))).containsExactly("validated");
        assertThat(summaries(watched.look(state(validating(1001, "r-1", "q-1")), entries(history)))).isEmpty();
        history.entry(1, "AdmissionGranted", "r-1", 0, "INFO", "admitted");
        assertThat(summaries(watched.look(state(validating(1001, "r-1", "q-1")), entries(history)))).containsExactly("admitted");
    }

    @Test
    void shouldTellEntriesWithoutAnIdApartByTimeTypeAndWords() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Current(1001));
        ProjectorJson.History history = history(1001)
                .entryWithoutId(2, "HostkeyCallFailed", "r-1", 2, "WARN", "Hostkey call eq/create_pxe failed (TRANSIENT): HTTP 503")
                .entryWithoutId(3, "HostkeyCallFailed", "r-1", 2, "WARN", "Hostkey call eq/create_pxe failed (TRANSIENT): HTTP 503");

        assertThat(watched.look(state(validating(1001, "r-1", "q-1")), entries(history)).entries()).hasSize(2);
        assertThat(watched.look(state(validating(1001, "r-1", "q-1")), entries(history)).entries()).isEmpty();
    }

    @Test
    void shouldFollowTheSubmittedRequestOnlyOnceTheProjectorCarriesIt() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Request(1001, "order-9"));
        String mine = ReinstallIds.forRequest(1001, "order-9");
        ProjectorJson.History history = history(1001).throughStage2("r-old", "old")
                .entry(101, "ReinstallServer", mine, 0, "INFO", "reinstall requested: request order-9");

        WatchedReinstall.News first = watched.look(state(completed(1001, "r-old", "old")), entries(history));

        assertThat(first.adopted()).isFalse();
        assertThat(summaries(first)).containsExactly("reinstall requested: request order-9");
        assertThat(watched.isEnded()).as("the previous reinstall's end is not this watch's").isFalse();
        assertThat(watched.state()).isEmpty();

        WatchedReinstall.News second = watched.look(state(validating(1001, mine, "order-9").requested(101)), entries(history));

        assertThat(second.adopted()).isTrue();
        assertThat(second.joined()).isFalse();
        assertThat(watched.reinstallId()).contains(mine);
        assertThat(watched.requestId()).contains("order-9");
    }

    @Test
    void shouldEndAsRejectedWhenTheProjectorRefusedTheRequest() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Request(1001, "order-9"));
        String mine = ReinstallIds.forRequest(1001, "order-9");

        watched.look(state(installing(1001, "r-other", "other")), entries(history(1001)
                .entry(101, "RequestRejected", mine, 0, "ERROR", "request order-9 refused: QUARANTINED: release it first")));

        assertThat(watched.ending()).get().satisfies(ending -> {
            assertThat(ending.outcome()).isEqualTo(Outcome.REJECTED);
            assertThat(ending.exitCode()).isEqualTo(ExitCode.REJECTED);
            assertThat(ending.text()).isEqualTo("REJECTED: request order-9 refused: QUARANTINED: release it first");
        });
    }

    @Test
    void shouldLeaveThePastOfAReinstallJoinedUnderWayToTheTable() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Current(1001));
        ProjectorJson.History history = history(1001).throughStage2("r-1", "q-1");

        WatchedReinstall.News first = watched.look(state(installing(1001, "r-1", "q-1")), entries(history));
        history.entry(40, "InstallStageReached", "r-1", 6, "INFO", "installer stage 3/5");
        WatchedReinstall.News second = watched.look(state(installing(1001, "r-1", "q-1")), entries(history));

        assertThat(first.adopted()).isTrue();
        assertThat(first.joined()).isTrue();
        assertThat(first.entries()).isEmpty();
        assertThat(summaries(second)).containsExactly("installer stage 3/5");
    }

    @Test
    void shouldPassOverAnEndedReinstallWhenAskedForTheNextOne() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Next(1001));

        assertThat(watched.look(state(completed(1001, "r-0", "q-0")), List.of()).adopted()).isFalse();
        assertThat(watched.look(state(completed(1001, "r-0", "q-0")), List.of()).adopted()).isFalse();
        assertThat(watched.look(state(validating(1001, "r-1", "q-1")), List.of()).adopted()).isTrue();
        assertThat(watched.reinstallId()).contains("r-1");
        assertThat(watched.isEnded()).isFalse();
    }

    @Test
    void shouldEndWithTheProjectorsOutcomeAndSayWhenItsProgressMoved() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Current(1001));

        assertThat(watched.look(state(validating(1001, "r-1", "q-1")), List.of()).progressed()).isFalse();
        assertThat(watched.look(state(validating(1001, "r-1", "q-1")), List.of()).progressed()).isFalse();
        assertThat(watched.look(state(failedInReboot(1001, "r-1", "q-1")), List.of()).progressed()).isTrue();

        assertThat(watched.ending()).get().satisfies(ending -> {
            assertThat(ending.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(ending.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(ending.text()).isEqualTo("FAILED in 4/9 reboot (AUTH): the reboot was refused");
        });
        assertThat(watched.endedWhileWatched()).isTrue();
    }

    @Test
    void shouldKnowItCannotTellTheOutcomeOnceTheServerWentOnToAnotherReinstall() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Current(1001));
        watched.look(state(installing(1001, "r-1", "q-1")), List.of());

        watched.look(state(validating(1001, "r-2", "q-2")), List.of());

        assertThat(watched.ending()).get().satisfies(ending -> {
            assertThat(ending.outcome()).isNull();
            assertThat(ending.name()).isEqualTo("UNKNOWN");
            assertThat(ending.exitCode()).isEqualTo(ExitCode.TIMEOUT);
            assertThat(ending.text()).contains("went on to reinstall r-2");
        });
        assertThat(watched.state().orElseThrow().reinstallId()).isEqualTo("r-1");
    }

    @Test
    void shouldCountACancelRequestMadeDuringTheReinstallAsItsOwn() throws Exception {
        WatchedReinstall watched = new WatchedReinstall(new WatchTarget.Current(1001));
        ProjectorJson.History history = history(1001)
                .entry(-50, "ReleaseServer", null, 0, "INFO", "release from quarantine requested by ops")
                .entry(0.5, "ReinstallValidated", "r-1", 0, "INFO", "validated")
                .entry(3, "CancelReinstall", null, 0, "WARN", "cancel requested by ops");

        assertThat(summaries(watched.look(state(validating(1001, "r-1", "q-1")), entries(history))))
                .containsExactly("validated", "cancel requested by ops");
    }
}

package com.hostkey.reinstall.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.handler.IntentLedger.Slot;
import com.hostkey.reinstall.handler.IntentLedger.Verdict;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.CallIntent;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class IntentLedgerTest {

    private static final TopicPartition P0 = new TopicPartition("reinstall-steps", 0);
    private static final Instant NOW = Instant.parse("2026-11-25T05:00:00Z");

    private final IntentLedger ledger = new IntentLedger();

    @Test
    void shouldRunACommandItKnowsNothingAbout() {
        assertThat(ledger.verdict(0, "7", 12, "c-12")).isEqualTo(Verdict.RUN);
    }

    @Test
    void shouldSkipCommandsAnsweredWhileTheOffsetStayedBehindThem() {
        // Offset held at 10 by another server: server 7's answers at 12 and 15 are remembered.
        commit(List.of(answered("7", 12)), List.of(), offset(10));
        commit(List.of(answered("7", 15)), List.of(), offset(10));

        assertThat(ledger.verdict(0, "7", 12, "c-12")).isEqualTo(Verdict.ANSWERED);
        assertThat(ledger.verdict(0, "7", 15, "c-15")).isEqualTo(Verdict.ANSWERED);
        assertThat(ledger.verdict(0, "7", 16, "c-16")).isEqualTo(Verdict.RUN);
        assertThat(ledger.verdict(0, "8", 13, "c-13")).as("another server's command").isEqualTo(Verdict.RUN);
    }

    @Test
    void shouldRememberNothingForAnAnswerTheSameCommitPasses() {
        IntentLedger.Changes changes = commit(List.of(answered("7", 12)), List.of(), offset(13));

        assertThat(changes.isEmpty()).isTrue();
        assertThat(ledger.verdict(0, "7", 12, "c-12")).isEqualTo(Verdict.RUN);
    }

    @Test
    void shouldKeepWhatWasAnsweredWhenTheServersNextCallOpensAnIntent() {
        Work next = opening("7", 20);
        commit(List.of(answered("7", 12)), List.of(next), offset(10));

        assertThat(ledger.verdict(0, "7", 12, "c-12")).isEqualTo(Verdict.ANSWERED);
        assertThat(ledger.verdict(0, "7", 20, "c-20")).isEqualTo(Verdict.OUTCOME_UNKNOWN);
        assertThat(ledger.openCalls()).containsExactly("eq/reboot on 7");
    }

    @Test
    void shouldDropAnsweredRecordsOnceTheCommittedOffsetPassesThem() {
        commit(List.of(answered("7", 12), answered("8", 14)), List.of(), offset(10));

        IntentLedger.Changes changes = commit(List.of(), List.of(), offset(13));

        assertThat(changes.writes()).containsOnlyKeys(new Slot(0, "7"));
        assertThat(changes.writes().get(new Slot(0, "7"))).as("a tombstone").isNull();
        assertThat(ledger.verdict(0, "7", 12, "c-12")).isEqualTo(Verdict.RUN);
        assertThat(ledger.verdict(0, "8", 14, "c-14")).isEqualTo(Verdict.ANSWERED);
    }

    @Test
    void shouldNeverDropAnOpenIntentWithTheSweep() {
        commit(List.of(), List.of(opening("7", 12)), offset(12));

        commit(List.of(), List.of(), offset(12));

        assertThat(ledger.verdict(0, "7", 12, "c-12")).isEqualTo(Verdict.OUTCOME_UNKNOWN);
    }

    @Test
    void shouldTombstoneAnOpenIntentWhenItsAnswerIsCommittedPastIt() {
        Work reboot = opening("7", 12);
        commit(List.of(), List.of(reboot), offset(12));

        IntentLedger.Changes changes = commit(List.of(reboot), List.of(), offset(13));

        assertThat(changes.writes()).containsOnlyKeys(new Slot(0, "7"));
        assertThat(changes.writes().get(new Slot(0, "7"))).as("a tombstone").isNull();
        assertThat(ledger.openCalls()).isEmpty();
    }

    @Test
    void shouldLoadWhatAnEarlierOwnerLeft() {
        CallIntent answered = CallIntent.newBuilder().setCommandId("c-12").setServerId(7).setCall("eq/reboot")
                .setStartedAt(NOW).setOpen(false).setAnsweredThrough(12).build();
        assertThat(ledger.load(Map.of(0, Map.of("7", answered)), Map.of(0, 40L))).isEmpty();

        assertThat(ledger.verdict(0, "7", 11, "c-11")).isEqualTo(Verdict.ANSWERED);
        assertThat(ledger.verdict(0, "7", 13, "c-13")).isEqualTo(Verdict.RUN);
        ledger.forget(0);
        assertThat(ledger.verdict(0, "7", 11, "c-11")).isEqualTo(Verdict.RUN);
    }

    @Test
    void shouldLeaveOutAnAnsweredRecordPastTheEndOfItsCommandPartition() {
        // reinstall-steps was deleted and created again: offsets start over, the record is stale.
        CallIntent stale = CallIntent.newBuilder().setCommandId("c-5000").setServerId(7).setCall("eq/reboot")
                .setStartedAt(NOW).setOpen(false).setAnsweredThrough(5000).build();

        assertThat(ledger.load(Map.of(0, Map.of("7", stale)), Map.of(0, 12L))).containsExactly("7");
        assertThat(ledger.verdict(0, "7", 3, "c-3")).isEqualTo(Verdict.RUN);
    }

    private IntentLedger.Changes commit(List<Work> answered, List<Work> opening, Map<TopicPartition, OffsetAndMetadata> offsets) {
        IntentLedger.Changes changes = ledger.plan(answered, opening, offsets, NOW);
        ledger.apply(changes);
        return changes;
    }

    private static Map<TopicPartition, OffsetAndMetadata> offset(long committed) {
        return Map.of(P0, new OffsetAndMetadata(committed));
    }

    private static Work answered(String server, long offset) {
        Work work = new Work(P0, offset, server, reboot(server, offset), false, null);
        work.outcome = ReinstallEvent.newBuilder().setEventId("e-" + offset).setCommandId("c-" + offset)
                .setServerId(Long.parseLong(server)).setReinstallId("r").setOccurredAt(NOW).setSource("test")
                .setPayload(ActionAccepted.newBuilder().setAction(AsyncActionKind.REBOOT).setCallbackKey("k").build()).build();
        return work;
    }

    private static Work opening(String server, long offset) {
        StepCommand command = reboot(server, offset);
        CallIntent intent = CallIntent.newBuilder().setCommandId(command.getCommandId()).setServerId(command.getServerId())
                .setCall("eq/reboot").setStartedAt(NOW).build();
        return new Work(P0, offset, server, command, false, intent);
    }

    private static StepCommand reboot(String server, long offset) {
        return StepCommand.newBuilder().setCommandId("c-" + offset).setServerId(Long.parseLong(server)).setReinstallId("r")
                .setIssuedAt(NOW).setNotAfter(NOW.plusSeconds(60)).setPayload(RebootServer.newBuilder().setAccount("default").build()).build();
    }
}

package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.projector.dashboard.HistoryView;
import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.ReinstallIds;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import com.hostkey.reinstall.schemas.avro.HistoryLevel;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The dashboard's per-server timeline, fed by the same topology the saga runs in. */
class ReinstallHistoryTopologyTest extends ProjectorTopologyTestBase {

    @Test
    void shouldRecordTheRequestAndEveryStepInOrderWithoutAnyKey() {
        driveToReboot();
        StepCommand reboot = nextCommand(RebootServer.class);
        answer(reboot, accepted(AsyncActionKind.REBOOT, "reboot-key"));
        poller(stage(1));
        poller(stage(2));

        List<HistoryEntry> entries = history(SERVER);
        assertThat(entries).extracting(HistoryEntry::getType).containsExactly(
                "ReinstallServer", "ReinstallValidated", "AdmissionGranted", "ReinstallKeyCreated",
                "ActionAccepted", "ActionCompleted", "ActionAccepted", "ActionCompleted", "ActionAccepted",
                "InstallStageReached", "InstallStageReached");
        assertThat(entries).extracting(e -> TimelineEntries.render(e).step()).containsExactly(0, 0, 0, 1, 2, 2, 3, 3, 4, 5, 6);
        assertThat(summary(entries.get(0))).isEqualTo("reinstall requested: OS 101, hostname srv1001.example.net, request req-1"
                + " by test-upstream");
        assertThat(entries.get(0).getReinstallId()).isEqualTo(ReinstallIds.forRequest(SERVER, "req-1"));
        assertThat(entries).allSatisfy(e -> assertThat(e.getReinstallId()).isEqualTo(state().getReinstallId()));
        assertThat(summary(entries.get(4))).isEqualTo("PXE config: requested");
        assertThat(summary(entries.get(10))).isEqualTo("installer stage 2/5: Stage 2");
        assertThat(entries).allSatisfy(e -> assertThat(e.getSummary()).as("stored words").isNull());
        assertThat(entries).extracting(Object::toString)
                .noneMatch(s -> s.contains("master-key") || s.contains("pxe-key") || s.contains("reboot-key"));
    }

    @Test
    void shouldRecordWhoCancelled() {
        driveToReboot();
        commandsIn.pipeInput(KEY, ReinstallRequest.newBuilder(upstream(CancelReinstall.newBuilder().setReason("wrong OS").build()))
                .setIssuedBy("dashboard:alice").build(), tick());

        HistoryEntry cancel = history(SERVER).stream().filter(e -> e.getType().equals("CancelReinstall")).findFirst().orElseThrow();
        assertThat(summary(cancel)).isEqualTo("cancel requested: wrong OS by dashboard:alice");
        assertThat(cancel.getSource()).isEqualTo("dashboard:alice");
        assertThat(TimelineEntries.render(cancel).level()).isEqualTo(HistoryLevel.WARN);
    }

    @Test
    void shouldNeitherRecordStepCommandsNorTheSecretsOfARequest() {
        submit("req-1", List.of("monitoring-agent"));

        List<HistoryEntry> entries = history(SERVER);
        assertThat(entries).extracting(HistoryEntry::getType).containsExactly("ReinstallServer");
        assertThat(entries.get(0).toString()).doesNotContain("rootPassword", "ciphertext", "RSA-OAEP");
        assertThat(summary(entries.get(0))).contains("tasks monitoring-agent");
        assertThat(entries.get(0).getFacts()).containsOnlyKeys("osId", "hostname", "requestId", "jenkinsTasks", "optionalJenkinsTasks");
    }

    @Test
    void shouldKeepTheNewestEntriesOnceEach() {
        submit("req-1", List.of());
        ReinstallEvent repeated = null;
        for (int i = 0; i < TimelineEntries.MAX_ENTRIES + 30; i++) {
            repeated = event(state().getReinstallId(), null, HostkeyCallFailed.newBuilder().setCall("eq/show")
                    .setErrorClass(HostkeyErrorClass.TRANSIENT).setMessage("try " + i).build());
            eventsIn.pipeInput(KEY, repeated, tick());
        }
        eventsIn.pipeInput(KEY, repeated, tick());

        List<HistoryEntry> entries = history(SERVER);
        assertThat(entries).hasSize(TimelineEntries.MAX_ENTRIES);
        assertThat(summary(entries.get(entries.size() - 1))).endsWith("try " + (TimelineEntries.MAX_ENTRIES + 29));
        assertThat(entries.get(0).getType()).isEqualTo("HostkeyCallFailed");
    }

    @Test
    void shouldCutLongTextsToOneBoundedLineAndHideVanishedKeys() {
        submit("req-1", List.of());
        eventsIn.pipeInput(KEY, event(state().getReinstallId(), null, HostkeyCallFailed.newBuilder().setCall("eq/show")
                .setErrorClass(HostkeyErrorClass.TRANSIENT).setMessage("line one\nline two " + "x".repeat(1000)).build()), tick());
        eventsIn.pipeInput(KEY, event(state().getReinstallId(), null, CallbackKeyVanished.newBuilder()
                .setCallbackKey("SECRET-CALLBACK-KEY").setAction(AsyncActionKind.CREATE_PXE).build()), tick());

        List<HistoryEntry> entries = history(SERVER);
        String failed = summary(entries.get(1));
        assertThat(failed).doesNotContain("\n").hasSizeLessThanOrEqualTo(TimelineEntries.MAX_TEXT + 1).endsWith("…");
        assertThat(entries.get(1).getFacts().get("message")).doesNotContain("\n").hasSizeLessThanOrEqualTo(TimelineEntries.MAX_TEXT + 1);
        assertThat(entries.get(2).toString()).doesNotContain("SECRET-CALLBACK-KEY");
        assertThat(summary(entries.get(2))).contains("PXE config");
        assertThat(TimelineEntries.render(entries.get(2)).step()).isEqualTo(2);
    }

    @Test
    void shouldIgnoreRecordsUnderAnotherServersKey() {
        commandsIn.pipeInput("2002", upstream(SERVER, ReinstallServer.newBuilder().setRequestId("r").setOsId(101)
                .setHostname("h.example.net").setRootPassword(sealed()).build()), tick());
        eventsIn.pipeInput("2002", event("r-1", null, ActionAccepted.newBuilder().setAction(AsyncActionKind.REBOOT)
                .setCallbackKey("k").build()), tick());

        assertThat(storedKeys()).noneMatch(key -> key.startsWith("2002/"));
        assertThat(TimelineStore.timeline(historyStore(), "2002")).isEmpty();
    }

    @Test
    void shouldAppendEachEntryUnderTheNextKeyOfItsServerInOrder() {
        submit("req-1", List.of());
        for (int i = 1; i <= 60; i++) {
            failedCall("try " + i);
        }

        assertThat(storedKeys()).containsExactlyElementsOf(IntStream.rangeClosed(0, 60).mapToObj(seq -> keyOf(SERVER, seq)).toList());
        List<HistoryEntry> entries = history(SERVER);
        assertThat(entries.get(0).getType()).isEqualTo("ReinstallServer");
        assertThat(entries.subList(1, entries.size())).extracting(ReinstallHistoryTopologyTest::summary)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 60).mapToObj(i -> "Hostkey call eq/show failed (TRANSIENT): try " + i).toList());
    }

    @Test
    void shouldDropTheOldestEntryWhenTheTimelineIsFull() {
        submit("req-1", List.of());
        for (int i = 1; i < TimelineEntries.MAX_ENTRIES; i++) {
            failedCall("try " + i);
        }
        assertThat(storedKeys()).hasSize(TimelineEntries.MAX_ENTRIES).startsWith(keyOf(SERVER, 0));

        failedCall("one too many");

        List<String> keys = storedKeys();
        assertThat(keys).hasSize(TimelineEntries.MAX_ENTRIES).doesNotContain(keyOf(SERVER, 0))
                .startsWith(keyOf(SERVER, 1)).endsWith(keyOf(SERVER, TimelineEntries.MAX_ENTRIES));
        List<HistoryEntry> entries = history(SERVER);
        assertThat(entries).hasSize(TimelineEntries.MAX_ENTRIES).noneMatch(e -> e.getType().equals("ReinstallServer"));
        assertThat(summary(entries.get(0))).endsWith("try 1");
        assertThat(summary(entries.get(entries.size() - 1))).endsWith("one too many");
    }

    @Test
    void shouldKeepARecordReadAgainAmongTheNewestEntriesOnce() {
        submit("req-1", List.of());
        ReinstallEvent first = failedCall("first");
        for (int i = 0; i < HistoryProcessor.DUPLICATE_WINDOW - 1; i++) {
            failedCall("then " + i);
        }

        eventsIn.pipeInput(KEY, first, tick());

        assertThat(history(SERVER)).hasSize(HistoryProcessor.DUPLICATE_WINDOW + 1)
                .filteredOn(e -> e.getId().equals(first.getEventId())).hasSize(1);
    }

    @Test
    void shouldShowAServerOnlyItsOwnEntriesWhateverServersShareItsDigits() {
        for (long server : List.of(70L, 7L, 700L, 77L)) {
            eventsIn.pipeInput(String.valueOf(server), ReinstallEvent.newBuilder(event("r-" + server, null, HostkeyCallFailed.newBuilder()
                    .setCall("eq/show").setErrorClass(HostkeyErrorClass.TRANSIENT).setMessage("of " + server).build()))
                    .setServerId(server).build(), tick());
        }

        assertThat(history(7)).extracting(HistoryEntry::getReinstallId).containsExactly("r-7");
        assertThat(history(70)).extracting(HistoryEntry::getReinstallId).containsExactly("r-70");
        assertThat(storedKeys()).contains(keyOf(7, 0), keyOf(70, 0), keyOf(700, 0), keyOf(77, 0));
    }

    @Test
    void shouldWordEntriesWhenReadAndShowOlderEntriesWithTheirOwnWords() {
        HistoryEntry facts = HistoryEntry.newBuilder().setId("e1").setAt(Instant.parse("2026-11-24T10:00:00Z"))
                .setType("InstallStageReached").setReinstallId("r-1").setSource("stage-poller")
                .setFacts(Map.of("stage", "3", "scope", "Stage 3", "observed", "false")).build();
        HistoryEntry legacy = HistoryEntry.newBuilder(facts).setFacts(Map.of()).setStep(6).setLevel(HistoryLevel.WARN)
                .setSummary("written by an older projector").build();
        HistoryEntry newer = HistoryEntry.newBuilder(facts).setType("SomethingNewer").setFacts(Map.of()).build();

        assertThat(TimelineEntries.render(facts)).isEqualTo(new TimelineEntries.Line(6, HistoryLevel.INFO, "installer stage 3/5: Stage 3 (inferred)"));
        assertThat(TimelineEntries.render(legacy)).isEqualTo(new TimelineEntries.Line(6, HistoryLevel.WARN, "written by an older projector"));
        assertThat(TimelineEntries.render(newer)).isEqualTo(new TimelineEntries.Line(0, HistoryLevel.INFO, "SomethingNewer"));
        HistoryEntry partly = HistoryEntry.newBuilder(facts).setType("ReinstallValidated")
                .setFacts(Map.of("osName", "Ubuntu 22.04", "notChecked", "min-ram (eq/show gave no RAM size)")).build();
        assertThat(TimelineEntries.render(partly)).isEqualTo(new TimelineEntries.Line(0, HistoryLevel.WARN,
                "validated: Ubuntu 22.04 fits this server; not checked, left to Hostkey: min-ram (eq/show gave no RAM size)"));
        HistoryEntry refused = HistoryEntry.newBuilder(facts).setType("HostkeyCallFailed").setFacts(Map.of("call", "eq/reboot",
                "errorClass", "AUTH", "refusal", "ACCOUNT_LOCKED", "message", "account locked", "retryAfterMillis", "120000")).build();
        assertThat(TimelineEntries.render(refused).summary())
                .isEqualTo("Hostkey call eq/reboot failed (AUTH, ACCOUNT_LOCKED): account locked; Hostkey asked to wait 120 s");
        HistoryEntry failedEarly = HistoryEntry.newBuilder(facts).setType("InstallFailed").setFacts(Map.of("lastStage", "0", "reason", "no PXE")).build();
        HistoryEntry failedLate = HistoryEntry.newBuilder(failedEarly).setFacts(Map.of("lastStage", "3", "reason", "disk")).build();
        assertThat(TimelineEntries.render(failedEarly)).isEqualTo(new TimelineEntries.Line(5, HistoryLevel.ERROR, "install FAILED after stage 0: no PXE"));
        assertThat(TimelineEntries.render(failedLate).step()).isEqualTo(6);
    }

    @Test
    void shouldViewTheTimelineAsTheDashboardReadsIt() throws Exception {
        HistoryEntry entry = HistoryEntry.newBuilder()
                .setId("e1").setAt(Instant.parse("2026-11-24T10:00:00Z")).setType("ActionAccepted").setReinstallId("r-1")
                .setStep(2).setLevel(HistoryLevel.INFO).setSummary("PXE config: requested").setSource("command-handler").build();

        Map<String, Object> view = HistoryView.of(7, List.of(entry));

        assertThat(new ObjectMapper().writeValueAsString(view)).isEqualTo("{\"serverId\":7,\"count\":1,\"keeps\":100,\"entries\":["
                + "{\"id\":\"e1\",\"at\":\"2026-11-24T10:00:00Z\",\"type\":\"ActionAccepted\",\"reinstallId\":\"r-1\",\"step\":2,"
                + "\"level\":\"INFO\",\"summary\":\"PXE config: requested\",\"source\":\"command-handler\"}]}");
    }

    private static String summary(HistoryEntry entry) {
        return TimelineEntries.render(entry).summary();
    }

    private ReinstallEvent failedCall(String message) {
        ReinstallEvent failed = event(state().getReinstallId(), null, HostkeyCallFailed.newBuilder().setCall("eq/show")
                .setErrorClass(HostkeyErrorClass.TRANSIENT).setMessage(message).build());
        eventsIn.pipeInput(KEY, failed, tick());
        return failed;
    }

    /** The server's timeline as the dashboard reads it. */
    private List<HistoryEntry> history(long server) {
        List<HistoryEntry> entries = TimelineStore.timeline(historyStore(), String.valueOf(server));
        assertThat(entries).as("a history for server %d", server).isNotEmpty();
        return entries;
    }

    /** Every key of the store, every server's, in the store's order. */
    private List<String> storedKeys() {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, HistoryEntry> all = historyStore().all()) {
            all.forEachRemaining(entry -> keys.add(entry.key));
        }
        return keys;
    }

    private static String keyOf(long server, long seq) {
        return server + "/" + String.format("%010d", seq);
    }

    private KeyValueStore<String, HistoryEntry> historyStore() {
        return driver.getKeyValueStore(ReinstallTopology.HISTORY_STORE);
    }
}

package com.hostkey.reinstall.poller;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer.Kind;
import com.hostkey.reinstall.poller.CallbackInterpreter.Interpretation;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallbackInterpreterTest {

    private static WatchedKey master(int lastStage) {
        return new WatchedKey(1001, "r-1", "master", null, lastStage, Instant.EPOCH);
    }

    private static WatchedKey action(AsyncActionKind kind) {
        return new WatchedKey(1001, "r-1", "k-" + kind, kind, 0, Instant.EPOCH);
    }

    private static CallbackAnswer answer(Kind kind, Integer stage) {
        return new CallbackAnswer(kind, "master", stage, stage == null ? "text" : "Stage " + stage + ": text", "reinstall", "1001");
    }

    @Test
    void shouldPublishEachNewStageOnce() {
        Interpretation first = CallbackInterpreter.interpret(master(0), answer(Kind.STAGE, 1));
        assertThat(first.payloads()).singleElement().isInstanceOfSatisfying(InstallStageReached.class,
                s -> assertThat(s.getStage()).isEqualTo(1));
        assertThat(first.lastStage()).isEqualTo(1);
        assertThat(first.keyFinished()).isFalse();

        Interpretation repeat = CallbackInterpreter.interpret(master(1), answer(Kind.STAGE, 1));
        assertThat(repeat.payloads()).isEmpty();
    }

    @Test
    void shouldFillASkippedStageAsInferred() {
        Interpretation jump = CallbackInterpreter.interpret(master(1), answer(Kind.STAGE, 3));
        assertThat(jump.payloads()).extracting(p -> ((InstallStageReached) p).getStage()).containsExactly(2, 3);
        assertThat(((InstallStageReached) jump.payloads().get(0)).getObserved()).isFalse();
        assertThat(((InstallStageReached) jump.payloads().get(1)).getObserved()).isTrue();
    }

    @Test
    void shouldCountAStageWithoutANumberAsTheNextOne() {
        Interpretation next = CallbackInterpreter.interpret(master(2), answer(Kind.STAGE, null));
        assertThat(next.payloads()).extracting(p -> ((InstallStageReached) p).getStage()).containsExactly(3);
    }

    @Test
    void shouldTreatOkOnTheMasterKeyAsTheServerOnlineAndFinishTheKey() {
        Interpretation ok = CallbackInterpreter.interpret(master(3), answer(Kind.OK, null));
        assertThat(ok.payloads()).extracting(p -> ((InstallStageReached) p).getStage()).containsExactly(4, 5);
        assertThat(ok.keyFinished()).isTrue();
        assertThat(ok.lastStage()).isEqualTo(5);
    }

    @Test
    void shouldKeepPollingWhileNotReady() {
        Interpretation notReady = CallbackInterpreter.interpret(action(AsyncActionKind.REBOOT), answer(Kind.NOT_READY, null));
        assertThat(notReady.payloads()).isEmpty();
        assertThat(notReady.keyFinished()).isFalse();
    }

    @Test
    void shouldReportActionsCompletedAndFailed() {
        assertThat(CallbackInterpreter.interpret(action(AsyncActionKind.CLEAR_PXE), answer(Kind.OK, null)).payloads())
                .singleElement().isInstanceOfSatisfying(ActionCompleted.class, c -> assertThat(c.getAction()).isEqualTo(AsyncActionKind.CLEAR_PXE));
        assertThat(CallbackInterpreter.interpret(action(AsyncActionKind.JENKINS_TASK), answer(Kind.ERROR, null)).payloads())
                .singleElement().isInstanceOf(ActionFailed.class);
        assertThat(CallbackInterpreter.interpret(master(2), answer(Kind.ERROR, null)).payloads())
                .singleElement().isInstanceOfSatisfying(InstallFailed.class, f -> assertThat(f.getLastStage()).isEqualTo(2));
    }

    @Test
    void shouldNeverTurnAVanishedKeyIntoSilentSuccess() {
        Interpretation vanished = CallbackInterpreter.interpret(master(4), answer(Kind.KEY_NOT_FOUND, null));
        assertThat(vanished.payloads()).singleElement().isInstanceOfSatisfying(CallbackKeyVanished.class, v -> {
            assertThat(v.getLastStage()).isEqualTo(4);
            assertThat(v.getAction()).isNull();
        });
        assertThat(vanished.keyFinished()).isTrue();
    }

    @Test
    void shouldIgnoreStageAnswersOnAnActionKey() {
        assertThat(CallbackInterpreter.interpret(action(AsyncActionKind.REBOOT), answer(Kind.STAGE, 2)).payloads()).isEmpty();
    }
}

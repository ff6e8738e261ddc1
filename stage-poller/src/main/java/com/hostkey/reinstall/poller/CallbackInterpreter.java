package com.hostkey.reinstall.poller;

import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one eq_callback answer for a watched key into the facts it establishes, as event payloads
 * in order, and says whether the key is finished (deleted on Hostkey's side).
 *
 * <p>Installer stages are published once each and in order: a jump (1 then 3) publishes the skipped
 * stage as inferred ({@code observed=false}); a repeat publishes nothing; an OK on the master key
 * means stage 5, the server is online.
 */
final class CallbackInterpreter {

    static final int FINAL_STAGE = 5;

    record Interpretation(List<Object> payloads, boolean keyFinished, int lastStage) {}

    private CallbackInterpreter() {}

    static Interpretation interpret(WatchedKey watched, CallbackAnswer answer) {
        List<Object> payloads = new ArrayList<>();
        int last = watched.lastStage;
        return switch (answer.kind()) {
            case NOT_READY -> new Interpretation(payloads, false, last);
            case STAGE -> {
                if (!watched.isMasterKey()) {
                    yield new Interpretation(payloads, false, last);
                }
                int stage = answer.stage() != null ? answer.stage() : last + 1;
                int reached = Math.min(stage, FINAL_STAGE);
                addStages(payloads, last, reached, answer.scope());
                yield new Interpretation(payloads, false, Math.max(last, reached));
            }
            case OK -> {
                if (watched.isMasterKey()) {
                    addStages(payloads, last, FINAL_STAGE, answer.scope());
                    yield new Interpretation(payloads, true, FINAL_STAGE);
                }
                payloads.add(ActionCompleted.newBuilder().setAction(watched.action).setCallbackKey(watched.key)
                        .setScope(answer.scope()).build());
                yield new Interpretation(payloads, true, last);
            }
            case ERROR -> {
                String reason = answer.scope() == null ? "Hostkey reported an error" : answer.scope();
                if (watched.isMasterKey()) {
                    payloads.add(InstallFailed.newBuilder().setLastStage(last).setReason(reason).build());
                } else {
                    payloads.add(ActionFailed.newBuilder().setAction(watched.action).setCallbackKey(watched.key)
                            .setReason(reason).build());
                }
                yield new Interpretation(payloads, true, last);
            }
            case KEY_NOT_FOUND -> {
                payloads.add(CallbackKeyVanished.newBuilder().setCallbackKey(watched.key).setAction(watched.action)
                        .setLastStage(last).build());
                yield new Interpretation(payloads, true, last);
            }
        };
    }

    private static void addStages(List<Object> payloads, int last, int reached, String scope) {
        for (int stage = last + 1; stage <= reached; stage++) {
            boolean observed = stage == reached;
            payloads.add(InstallStageReached.newBuilder()
                    .setStage(stage)
                    .setScope(observed ? scope : null)
                    .setObserved(observed)
                    .build());
        }
    }
}

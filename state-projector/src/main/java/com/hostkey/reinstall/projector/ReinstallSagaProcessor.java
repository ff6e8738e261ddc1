package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.projector.ReinstallStateMachine.Decision;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.ReinstallCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the {@value ReinstallTopology#STATE_STORE} store: for each upstream command or event of a
 * server, asks {@link ReinstallStateMachine} what to do, stores the next state and forwards step
 * commands, poll targets and completions to their sinks. Time is the record's timestamp, so a
 * replay decides the same.
 */
final class ReinstallSagaProcessor implements Processor<String, Object, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(ReinstallSagaProcessor.class);

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ReinstallState> store;

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(ReinstallTopology.STATE_STORE);
    }

    @Override
    public void process(Record<String, Object> record) {
        String serverKey = record.key();
        Instant now = Instant.ofEpochMilli(record.timestamp());
        ReinstallState current = store.get(serverKey);
        Decision decision = switch (record.value()) {
            case ReinstallCommand command when command.getPayload() instanceof ReinstallServer request ->
                    ReinstallStateMachine.request(current, command, request, now);
            case ReinstallCommand command when command.getPayload() instanceof CancelReinstall cancel ->
                    ReinstallStateMachine.cancel(current, cancel, now);
            case ReinstallEvent event -> ReinstallStateMachine.apply(current, event, now);
            // Step commands are the projector's own output, read back from the shared topic.
            case null, default -> null;
        };
        if (decision == null) {
            return;
        }
        if (decision.state() != null) {
            store.put(serverKey, decision.state());
        }
        if (!decision.applied()) {
            log.debug("server={} ignored a stale or illegal input {}", serverKey, describe(record.value()));
            return;
        }
        for (ReinstallCommand command : decision.commands()) {
            context.forward(record.withValue((Object) command), ReinstallTopology.COMMANDS_SINK);
        }
        if (decision.pollTargetsChanged()) {
            PollTargets targets = decision.pollTargets().orElse(null);
            context.forward(record.withValue((Object) targets), ReinstallTopology.POLL_TARGETS_SINK);
        }
        decision.completion().ifPresent(completion -> {
            context.forward(record.withValue((Object) completion), ReinstallTopology.COMPLETIONS_SINK);
            logCompletion(serverKey, completion);
        });
        if (decision.state() != null) {
            log.info("server={} reinstall={} phase={} stage={}", serverKey, decision.state().getReinstallId(),
                    decision.state().getPhase(), decision.state().getInstallStage());
        }
    }

    private static void logCompletion(String serverKey, ReinstallCompletion completion) {
        log.info("server={} reinstall={} finished: {}", serverKey, completion.getReinstallId(),
                completion.getOutcome().getClass().getSimpleName());
    }

    private static String describe(Object value) {
        if (value instanceof ReinstallEvent event) {
            return event.getPayload().getClass().getSimpleName() + " for reinstall " + event.getReinstallId();
        }
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}

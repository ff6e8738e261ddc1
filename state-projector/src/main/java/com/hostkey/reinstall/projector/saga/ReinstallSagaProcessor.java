package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.projector.saga.ReinstallStateMachine.Decision;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AdmissionMessage;
import com.hostkey.reinstall.schemas.avro.AdmissionReleased;
import com.hostkey.reinstall.schemas.avro.AdmissionRequested;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.JenkinsTaskSkipped;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import com.hostkey.reinstall.schemas.avro.ReserveLent;
import com.hostkey.reinstall.schemas.avro.ReserveRecalled;
import com.hostkey.reinstall.schemas.avro.RequestDuplicate;
import com.hostkey.reinstall.schemas.avro.RequestRejected;
import com.hostkey.reinstall.schemas.avro.ServerReleased;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.StepRetryScheduled;
import com.hostkey.reinstall.schemas.avro.TaskSlot;
import com.hostkey.reinstall.runtime.LogContext;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the {@value ReinstallTopology#STATE_STORE} store: for each upstream request (routed to this task by {@link RequestRouter}) or event of a server, and for each timer that comes due, asks
 * {@link ReinstallStateMachine} what to do, stores the next state and forwards what it decided:
 * step commands, poll targets, events for the record, admission messages and completions.
 *
 * <p>Deadlines live in the states ({@link ReinstallStateMachine#wakeAt}), so they survive restarts and
 * rebalances; the index of the next wake-ups ({@link WakeUps}) is rebuilt from the store whenever
 * Streams initialises the task, and scanned by a wall-clock punctuator. Timers use the wall clock as "now"; a record uses the later of its timestamp and
 * the wall clock ({@link #nowFor}), so what the saga decides on an old record (one read back after a
 * restart, a rebalance or any backlog) gets its full deadlines from when it was decided, not from
 * when the record was written. While the task reads a backlog, due timers wait for it
 * ({@link BacklogGuard}): the record that settles a deadline may be among the unread ones.
 */
final class ReinstallSagaProcessor implements Processor<String, Object, String, Object> {

    private static final Logger log = LoggerFactory.getLogger(ReinstallSagaProcessor.class);

    /** States kept as objects: the servers in flight on one task, with room to spare. */
    static final int RECENT_STATES = 20_000;

    private final ReinstallStateMachine machine;
    private final Duration timerInterval;
    private final SagaMetrics metrics;
    private final CommitPacer pacer;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, ReinstallState> store;
    /**
     * The states this task stored last, as the objects it stored: the saga is the state store's only
     * writer, so reading one back needs no deserialisation (a store get was a tenth of the stream
     * thread's time, figure 3's profile). Never handed out to be changed (the state machine builds
     * each next state as a shallow copy, {@link StateCopies}, and changes no collection in place),
     * and emptied whenever Streams (re)initialises the task, whose store may then hold anything the
     * changelog restored.
     */
    private final Map<String, ReinstallState> recentStates = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ReinstallState> eldest) {
            return size() > RECENT_STATES;
        }
    };
    private final WakeUps wakeUps = new WakeUps();
    private final TaskSlots slots;
    private BacklogGuard backlog;
    private CommitPacer.Task commits;

    ReinstallSagaProcessor(ReinstallStateMachine machine, AdmissionSettings admission, Duration timerInterval, SagaMetrics metrics,
                           CommitPacer pacer) {
        this.machine = machine;
        this.slots = new TaskSlots(admission);
        this.pacer = pacer;
        this.timerInterval = timerInterval;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        recentStates.clear();
        this.store = context.getStateStore(ReinstallTopology.STATE_STORE);
        indexWakeUps();
        slots.init(context.getStateStore(ReinstallTopology.TASK_SLOTS_STORE));
        this.backlog = BacklogGuard.standard(context.currentSystemTimeMs());
        this.commits = pacer.forTask(context, backlog);
        context.schedule(timerInterval, PunctuationType.WALL_CLOCK_TIME, wallClock -> fireDueTimers(Instant.ofEpochMilli(wallClock)));
    }

    /** Reads every state of the task's store once: the wake-ups of its open reinstalls. */
    private void indexWakeUps() {
        wakeUps.clear();
        try (KeyValueIterator<String, ReinstallState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, ReinstallState> next = all.next();
                wakeUps.set(next.key, ReinstallStateMachine.wakeAt(next.value));
            }
        }
        log.debug("{} open reinstall(s) to wake on this task", wakeUps.size());
    }

    /** Decides on one record; the log lines meanwhile carry its server, reinstall and command ids (MDC). */
    @Override
    public void process(Record<String, Object> record) {
        switch (record.value()) {
            case ReinstallRequest request -> LogContext.run(record.key(), null, request.getCommandId(), () -> decide(record));
            case ReinstallEvent event -> LogContext.run(record.key(), event.getReinstallId(), event.getCommandId(), () -> decide(record));
            case null, default -> LogContext.run(record.key(), null, null, () -> decide(record));
        }
    }

    private void decide(Record<String, Object> record) {
        String serverKey = record.key();
        if (!isOwnOutput(record.value())) {
            // Only what others wrote tells how far behind this task reads: its own output read back is always fresh.
            backlog.processed(record.timestamp(), context.currentSystemTimeMs());
        }
        Instant now = nowFor(record.timestamp(), context.currentSystemTimeMs());
        if (record.value() instanceof ReinstallRequest request) {
            Optional<String> otherKey = RequestRouter.otherServersKey(record.headers(), serverKey);
            if (otherKey.isPresent()) {
                refuseMisaddressed(request, otherKey.get(), now, record.timestamp());
                return;
            }
        }
        if (record.value() instanceof ReinstallEvent event) {
            lentOrRecalled(event, now);
        }
        if (record.value() instanceof ReinstallEvent event && isOwnRecord(event)) {
            return;  // what this saga wrote for the record: nothing to decide, no state to read
        }
        ReinstallState current = stateOf(serverKey);
        Decision decision = switch (record.value()) {
            case ReinstallRequest command when command.getPayload() instanceof ReinstallServer request ->
                    machine.request(current, command, request, now);
            case ReinstallRequest command when command.getPayload() instanceof CancelReinstall cancel ->
                    machine.cancel(current, cancel, now);
            case ReinstallRequest command when command.getPayload() instanceof ReleaseServer release ->
                    machine.release(current, release, now);
            case ReinstallEvent event -> machine.apply(current, event, now);
            case null, default -> null;
        };
        if (decision != null) {
            carryOut(serverKey, current, decision, now, record.timestamp());
            if (record.value() instanceof ReinstallEvent event && event.getPayload() instanceof AdmissionGranted granted
                    && decision.applied() && decision.state() != null && decision.state().getAdmissionSlot() != null) {
                ReinstallState admitted = decision.state();
                slots.granted(admitted.getAdmissionSlot(), admitted.getLocation(), admitted.getServerId(), admitted.getReinstallId(),
                        !granted.getReserved().isEmpty(), now);
                metrics.admitted(false);
            }
        }
    }

    /**
     * Slots the admission owner lends this task, with a grant (whatever becomes of the grant itself: its
     * reinstall may have ended meanwhile) or on their own, or recalls.
     */
    private void lentOrRecalled(ReinstallEvent event, Instant now) {
        switch (event.getPayload()) {
            case AdmissionGranted granted -> slots.lent(granted.getReserved(), granted.getLocation(), event.getServerId(),
                    event.getReinstallId(), event.getOccurredAt(), now);
            case ReserveLent lent -> slots.lent(lent.getReserved(), lent.getLocation(), event.getServerId(),
                    event.getReinstallId(), event.getOccurredAt(), now);
            case ReserveRecalled recalled -> giveBack(slots.recalled(recalled.getLocation()), now);
            default -> { }
        }
    }

    /** The server's state: the object this task stored last, else read from the store. */
    private ReinstallState stateOf(String serverKey) {
        ReinstallState recent = recentStates.get(serverKey);
        if (recent != null) {
            return recent;
        }
        ReinstallState stored = store.get(serverKey);
        if (stored != null) {
            recentStates.put(serverKey, stored);
        }
        return stored;
    }

    private void storeState(String serverKey, ReinstallState state) {
        store.put(serverKey, state);
        recentStates.put(serverKey, state);
        wakeUps.set(serverKey, ReinstallStateMachine.wakeAt(state));
    }

    /**
     * "Now" for deciding on a record: its timestamp, or the wall clock when the record is older. Deadlines
     * run from now: measured from an old record's timestamp, the command issued now would get only what
     * is left of its answer time (or none), and the handler that has just been sent it would be timed out.
     * A timestamp ahead of the wall clock (another host's clock) is kept: time never runs back in a state.
     */
    static Instant nowFor(long recordTimestamp, long wallClockMillis) {
        return Instant.ofEpochMilli(Math.max(recordTimestamp, wallClockMillis));
    }

    /** What the projector wrote itself (events for the record), read back from reinstall-events. */
    private static boolean isOwnOutput(Object value) {
        return switch (value) {
            case ReinstallEvent event -> ReinstallStateMachine.ISSUER.equals(event.getSource());
            case null, default -> false;
        };
    }

    /** Records the projector published itself for the history; it already acted on them. */
    private static boolean isOwnRecord(ReinstallEvent event) {
        return switch (event.getPayload()) {
            case DeadlineExceeded d -> true;
            case StepRetryScheduled s -> true;
            case RequestRejected r -> true;
            case RequestDuplicate r -> true;
            case JenkinsTaskSkipped j -> true;
            case ServerReleased s -> true;
            case AdmissionGranted g -> g.getFromReserve();
            case ReserveRecalled r -> true;
            case ReserveLent l -> true;
            default -> false;
        };
    }

    /**
     * Fires every timer due by {@code now}, except those the {@link BacklogGuard} holds while the task
     * still reads records that may settle them (an answer published before the deadline but not yet
     * processed must not lose to it).
     */
    private void fireDueTimers(Instant now) {
        int held = 0;
        for (Map.Entry<String, Long> due : wakeUps.dueBy(now)) {
            if (backlog.holds(due.getValue(), now.toEpochMilli())) {
                held++;
                continue;
            }
            String server = due.getKey();
            ReinstallState current = stateOf(server);
            LogContext.run(server, current == null ? null : current.getReinstallId(), null, () -> fireTimer(server, current, now));
        }
        if (held > 0) {
            log.debug("{} due timer(s) wait while this task reads a backlog", held);
        }
        giveBack(slots.idle(now), now);
    }

    /** Free slots the task no longer keeps, back to the admission owner by name. */
    private void giveBack(List<TaskSlot> free, Instant now) {
        for (TaskSlot slot : free) {
            forwardAdmission(slot.getServerId(), slot.getReinstallId(), slot.getLocation(),
                    AdmissionReleased.newBuilder().setSlot(slot.getSlot()).build(), now, now.toEpochMilli());
        }
    }

    private void fireTimer(String server, ReinstallState current, Instant now) {
        Decision decision = machine.onTimer(current, now);
        if (decision.applied()) {
            carryOut(server, current, decision, now, now.toEpochMilli());
        } else {
            // Nothing due any more (the state moved on or ended): the wake-up follows the state.
            wakeUps.set(server, ReinstallStateMachine.wakeAt(current));
        }
    }

    /**
     * A request whose producer keyed it with another server's id: which server was meant is not
     * clear, so a ReinstallServer is refused (typed, under the server id in its payload, and remembered
     * there like any refusal) and a cancel or release is dropped with a warning. A request without a
     * key is routed by its payload alone.
     */
    private void refuseMisaddressed(ReinstallRequest command, String recordKey, Instant now, long causedAt) {
        String message = "record key '" + (recordKey == null ? "null" : recordKey.substring(0, Math.min(40, recordKey.length())))
                + "' is not the command's server id " + command.getServerId() + "; publish with the server id as key";
        if (command.getPayload() instanceof ReinstallServer request) {
            String serverKey = String.valueOf(command.getServerId());
            ReinstallState current = stateOf(serverKey);
            carryOut(serverKey, current, machine.refuseInvalid(current, command, request, message, now), now, causedAt);
        } else {
            log.warn("dropping {}: {}", command.getPayload().getClass().getSimpleName(), message);
        }
    }

    /**
     * Forwards what was decided, then stores the next state: a failing output leaves the store as it was.
     *
     * @param causedAt the timestamp of the record decided on (the wall clock for a timer): an admission
     *                 message carries it, so the admission knows a backlog from fresh requests
     */
    private void carryOut(String serverKey, ReinstallState current, Decision decision, Instant now, long causedAt) {
        ReinstallState next = decision.state();
        if (!decision.applied()) {
            if (next != null) {
                storeState(serverKey, next);
            }
            log.debug("server={} ignored a stale or illegal input", serverKey);
            return;
        }
        metrics.decided(decision);
        long timestamp = now.toEpochMilli();
        for (StepCommand step : decision.commands()) {
            context.forward(new Record<>(serverKey, (Object) step, timestamp), ReinstallTopology.STEPS_SINK);
        }
        if (decision.pollTargetsChanged()) {
            PollTargets targets = decision.pollTargets().orElse(null);
            context.forward(new Record<>(serverKey, (Object) targets, timestamp), ReinstallTopology.POLL_TARGETS_SINK);
        }
        String reinstallId = next != null ? next.getReinstallId() : decision.completion().map(ReinstallCompletion::getReinstallId).orElse(null);
        for (SpecificRecord payload : decision.events()) {
            String eventReinstall = decision.completion().map(ReinstallCompletion::getReinstallId).orElse(reinstallId);
            context.forward(new Record<>(serverKey, (Object) eventOf(serverKey, eventReinstall, payload, now), timestamp),
                    ReinstallTopology.EVENTS_SINK);
        }
        decision.completion().ifPresent(completion -> {
            context.forward(new Record<>(serverKey, (Object) completion, timestamp), ReinstallTopology.COMPLETIONS_SINK);
            log.info("server={} reinstall={} finished: {}", serverKey, completion.getReinstallId(),
                    completion.getOutcome().getClass().getSimpleName());
        });
        if (next != null) {
            storeState(serverKey, next);
        }
        if (!decision.commands().isEmpty() || decision.pollTargetsChanged() || !decision.events().isEmpty()
                || decision.completion().isPresent()) {
            commits.forwarded();
        }
        if (next != null && (current == null || current.getPhase() != next.getPhase())) {
            log.info("server={} reinstall={} phase={} stage={}", serverKey, next.getReinstallId(), next.getPhase(), next.getInstallStage());
        }
        decision.admission().ifPresent(payload -> admission(serverKey, current, next, payload, now, causedAt));
    }

    /**
     * A slot asked for or given up. Asked for: taken from the task's own slots when one of the
     * location is free, and the reinstall goes on in the same breath (the grant published for the
     * record); else asked of the admission owner. Given up: kept free for the task's next reinstall
     * of the location, or given back ({@link TaskSlots}).
     */
    private void admission(String serverKey, ReinstallState current, ReinstallState next, SpecificRecord payload, Instant now,
                           long causedAt) {
        switch (payload) {
            case AdmissionRequested requested -> {
                Optional<String> slot = slots.take(next.getLocation(), next.getServerId(), next.getReinstallId(), now);
                if (slot.isEmpty()) {
                    forwardAdmission(next.getServerId(), next.getReinstallId(), next.getLocation(), requested, now, causedAt);
                    return;
                }
                ReinstallEvent granted = eventOf(serverKey, next.getReinstallId(), AdmissionGranted.newBuilder()
                        .setSlot(slot.get()).setLocation(next.getLocation()).setFromReserve(true).build(), now);
                context.forward(new Record<>(serverKey, (Object) granted, now.toEpochMilli()), ReinstallTopology.EVENTS_SINK);
                metrics.admitted(true);
                if (slots.freeOf(next.getLocation()) == 0) {
                    // The last one: more before the task's next reinstall of the location needs it (off this one's path).
                    forwardAdmission(next.getServerId(), next.getReinstallId(), next.getLocation(),
                            AdmissionRequested.newBuilder().setReserveOnly(true).build(), now, causedAt);
                }
                carryOut(serverKey, next, machine.apply(next, granted, now), now, causedAt);
            }
            case AdmissionReleased released -> {
                String held = current == null ? null : current.getAdmissionSlot();
                if (held == null || slots.givesBack(held, now)) {
                    forwardAdmission(next.getServerId(), next.getReinstallId(), next.getLocation(),
                            AdmissionReleased.newBuilder().setSlot(held).build(), now, causedAt);
                }
            }
            default -> throw new IllegalStateException("not an admission message: " + payload.getSchema().getName());
        }
    }

    /**
     * An admission message for the owner, timestamped with the record decided on ({@code causedAt}; the
     * wall clock for a timer), so the admission knows a backlog from fresh requests.
     */
    private void forwardAdmission(long serverId, String reinstallId, String location, SpecificRecord payload, Instant now,
                                  long causedAt) {
        AdmissionMessage message = AdmissionMessage.newBuilder()
                .setServerId(serverId)
                .setReinstallId(reinstallId)
                .setLocation(location)
                .setAt(now)
                .setPayload(payload)
                .build();
        context.forward(new Record<>(ReinstallTopics.ADMISSION_SCOPE, (Object) message, causedAt), ReinstallTopology.ADMISSIONS_SINK);
        commits.forwarded();
    }

    /** An event the projector publishes for the record. */
    private static ReinstallEvent eventOf(String serverKey, String reinstallId, SpecificRecord payload, Instant now) {
        return ReinstallStateMachine.issued(Long.parseLong(serverKey), reinstallId, payload, now);
    }

}

package com.hostkey.reinstall.schemas;

import com.hostkey.reinstall.schemas.avro.AdmissionEntry;
import com.hostkey.reinstall.schemas.avro.AdmissionMessage;
import com.hostkey.reinstall.schemas.avro.CallIntent;
import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.TaskSlot;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topic registry. Every topic is keyed by the server id (decimal string), so one
 * server's records stay in order on one partition.
 *
 * <ul>
 *   <li>{@link #requests}: reinstall-requests, {@link ReinstallRequest}: the public topic upstream
 *       systems and operators write (ReinstallServer, CancelReinstall, ReleaseServer); read by the
 *       projector, which re-keys and repartitions it by server id itself.</li>
 *   <li>{@link #steps}: reinstall-steps, {@link StepCommand}: internal, written only by the
 *       projector (each record authenticated, see {@code StepAuthenticator}) and read only by the
 *       command handler.</li>
 *   <li>{@link #events}: reinstall-events, {@link ReinstallEvent}: facts from the handler and poller.</li>
 *   <li>{@link #pollTargets}: reinstall-poll-targets (compacted), {@link PollTargets}: keys to poll.</li>
 *   <li>{@link #completions}: reinstall-completions, {@link ReinstallCompletion}: one per reinstall, for billing.</li>
 *   <li>{@link #admissions}: reinstall-admissions, {@link AdmissionMessage}: slot requests and releases,
 *       all under the key {@value #ADMISSION_SCOPE} so one owner counts them.</li>
 *   <li>{@link #intents}: reinstall-intents (compacted), {@link CallIntent}: calls the handler started
 *       and has not yet published the outcome of.</li>
 *   <li>{@value #DEAD_LETTERS}: raw records no service could read, with the reason in headers.</li>
 * </ul>
 */
public final class ReinstallTopics {

    public static final String REQUESTS = "reinstall-requests";
    public static final String STEPS = "reinstall-steps";
    public static final String EVENTS = "reinstall-events";
    public static final String POLL_TARGETS = "reinstall-poll-targets";
    public static final String COMPLETIONS = "reinstall-completions";
    public static final String ADMISSIONS = "reinstall-admissions";
    public static final String INTENTS = "reinstall-intents";
    public static final String DEAD_LETTERS = "reinstall-dead-letters";
    /** The one key of reinstall-admissions: every slot request and release goes to one owner. */
    public static final String ADMISSION_SCOPE = "fleet";

    /**
     * The value schemas other teams' code writes or reads, by registry subject: upstream writes
     * requests, billing reads completions. These subjects are held FULL_TRANSITIVE in the registry
     * ({@value #PUBLIC_COMPATIBILITY}: every version reads every other's data) and in the build.
     */
    public static final Map<String, Schema> PUBLIC_VALUE_SCHEMAS = Map.of(
            REQUESTS + "-value", ReinstallRequest.getClassSchema(),
            COMPLETIONS + "-value", ReinstallCompletion.getClassSchema());
    public static final String PUBLIC_COMPATIBILITY = "FULL_TRANSITIVE";

    public final Topic<String, ReinstallRequest> requests;
    public final Topic<String, StepCommand> steps;
    public final Topic<String, ReinstallEvent> events;
    public final Topic<String, PollTargets> pollTargets;
    public final Topic<String, ReinstallCompletion> completions;
    public final Topic<String, AdmissionMessage> admissions;
    public final Topic<String, CallIntent> intents;
    private final Map<String, ?> serdeConfig;

    private ReinstallTopics(Map<String, ?> serdeConfig) {
        this.serdeConfig = Map.copyOf(serdeConfig);
        this.requests = topic(REQUESTS, ReinstallRequest.class);
        this.steps = topic(STEPS, StepCommand.class);
        this.events = topic(EVENTS, ReinstallEvent.class);
        this.pollTargets = topic(POLL_TARGETS, PollTargets.class);
        this.completions = topic(COMPLETIONS, ReinstallCompletion.class);
        this.admissions = topic(ADMISSIONS, AdmissionMessage.class);
        this.intents = topic(INTENTS, CallIntent.class);
    }

    /** @param serdeConfig at least {@code schema.registry.url}; optionally {@code auto.register.schemas} */
    public static ReinstallTopics create(Map<String, ?> serdeConfig) {
        return new ReinstallTopics(serdeConfig);
    }

    public List<Topic<String, ?>> all() {
        return List.of(requests, steps, events, pollTargets, completions, admissions, intents);
    }

    /** The serde of the admission store's values. */
    public Serde<AdmissionEntry> admissionEntrySerde() {
        return AvroSerde.of(AdmissionEntry.class, serdeConfig, false);
    }

    /** The serde of the projector's saga task slot store values. */
    public Serde<TaskSlot> taskSlotSerde() {
        return AvroSerde.of(TaskSlot.class, serdeConfig, false);
    }

    /** The serde of the projector's state store values. */
    public Serde<ReinstallState> stateSerde() {
        return AvroSerde.of(ReinstallState.class, serdeConfig, false);
    }

    /** The serde of the projector's timeline store values (store reinstall-timeline, one entry per record) for the dashboard. */
    public Serde<HistoryEntry> historyEntrySerde() {
        return AvroSerde.of(HistoryEntry.class, serdeConfig, false);
    }

    private <V extends org.apache.avro.specific.SpecificRecord> Topic<String, V> topic(String name, Class<V> type) {
        return new Topic<>(name, Serdes.String(), AvroSerde.of(type, serdeConfig, false));
    }
}

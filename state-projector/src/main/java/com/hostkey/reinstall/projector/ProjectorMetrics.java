package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.projector.saga.DeadLetterHandler;
import com.hostkey.reinstall.projector.saga.ReinstallStateMachine;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.projector.saga.SagaMetrics;
import com.hostkey.reinstall.runtime.ServiceMetrics;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projector's metrics, served on the query port's {@code GET /metrics}. Prometheus names (every
 * series also carries {@code service="state-projector"}):
 *
 * <ul>
 *   <li>{@code reinstalls_in_flight{phase}}: open reinstalls in this instance's active partitions, by
 *       phase (QUEUED included, ended ones not); refreshed every {@value #REFRESH_SECONDS} s by scanning
 *       the local {@value ReinstallTopology#STATE_STORE} store through interactive queries. Summed over
 *       the instances it is the fleet's;</li>
 *   <li>{@code state_projector_streams_running}: 1 while the Kafka Streams instance is RUNNING;</li>
 *   <li>the saga's completions, durations, deadline expiries and retries: see {@link SagaMetrics};</li>
 *   <li>{@code reinstall_dead_letters_total{source_topic}}: poison records dead-lettered (counted by
 *       {@link DeadLetterHandler} through Micrometer's global registry, which Kafka Streams'
 *       reflectively created handlers can reach);</li>
 *   <li>{@code kafka_stream_*}, {@code kafka_consumer_*}, {@code kafka_producer_*}: Kafka Streams' own
 *       metrics (consumer lag: {@code kafka_consumer_fetch_manager_records_lag_max});</li>
 *   <li>the JVM's ({@code jvm_*}, {@code process_*}, {@code system_*}).</li>
 * </ul>
 */
public final class ProjectorMetrics implements AutoCloseable {

    static final String SERVICE = "state-projector";
    static final long REFRESH_SECONDS = 10;
    private static final Logger log = LoggerFactory.getLogger(ProjectorMetrics.class);

    private final PrometheusMeterRegistry registry;
    private final SagaMetrics saga;
    private final Map<ReinstallPhase, AtomicLong> inFlight = new EnumMap<>(ReinstallPhase.class);
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("projector-metrics-refresh").factory());
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;

    private ProjectorMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.saga = new SagaMetrics(registry);
        for (ReinstallPhase phase : ReinstallPhase.values()) {
            if (!ReinstallStateMachine.isTerminal(phase)) {
                AtomicLong count = new AtomicLong();
                inFlight.put(phase, count);
                Gauge.builder("reinstalls.in.flight", count, AtomicLong::get)
                        .description("Open reinstalls in this instance's partitions, by phase")
                        .tag("phase", phase.name())
                        .register(registry);
            }
        }
        Gauge.builder("state.projector.streams.running", () -> streams != null && streams.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while the Kafka Streams instance is RUNNING")
                .register(registry);
    }

    /** A Prometheus registry with the JVM's metrics, also fed by Micrometer's global registry. */
    public static ProjectorMetrics create() {
        PrometheusMeterRegistry registry = ServiceMetrics.prometheusRegistry(SERVICE);
        Metrics.addRegistry(registry);
        return new ProjectorMetrics(registry);
    }

    /** What the saga processor reports to. */
    public SagaMetrics saga() {
        return saga;
    }

    /** Binds Kafka Streams' own metrics and starts counting the open reinstalls of its store. */
    public synchronized void bind(KafkaStreams kafkaStreams) {
        this.streams = kafkaStreams;
        streamsMetrics = new KafkaStreamsMetrics(kafkaStreams);
        streamsMetrics.bindTo(registry);
        refresher.scheduleWithFixedDelay(this::refreshInFlight, REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Counts the open reinstalls by phase in the active partitions of this instance. While the
     * store cannot be queried (restoring, rebalancing) the previous counts stay.
     */
    void refreshInFlight() {
        KafkaStreams current = streams;
        if (current == null || current.state() != KafkaStreams.State.RUNNING) {
            return;
        }
        Map<ReinstallPhase, Long> counts;
        try {
            counts = countOpen(current.store(
                    StoreQueryParameters.fromNameAndType(ReinstallTopology.STATE_STORE, QueryableStoreTypes.keyValueStore())));
        } catch (InvalidStateStoreException e) {
            log.debug("reinstalls in flight not refreshed, the store is not queryable now: {}", e.toString());
            return;
        } catch (RuntimeException e) {
            log.warn("reinstalls in flight not refreshed: {}", e.toString());
            return;
        }
        inFlight.forEach((phase, count) -> count.set(counts.getOrDefault(phase, 0L)));
    }

    /** Open reinstalls (ended ones left out) by phase, in one pass over the store. */
    public static Map<ReinstallPhase, Long> countOpen(ReadOnlyKeyValueStore<String, ReinstallState> store) {
        Map<ReinstallPhase, Long> counts = new EnumMap<>(ReinstallPhase.class);
        try (KeyValueIterator<String, ReinstallState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, ReinstallState> next = all.next();
                if (next.value != null && !ReinstallStateMachine.isTerminal(next.value.getPhase())) {
                    counts.merge(next.value.getPhase(), 1L, Long::sum);
                }
            }
        }
        return counts;
    }

    /** The Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public synchronized void close() {
        refresher.shutdownNow();
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        Metrics.removeRegistry(registry);
        registry.close();
    }
}

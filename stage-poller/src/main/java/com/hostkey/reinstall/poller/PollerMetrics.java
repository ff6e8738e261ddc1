package com.hostkey.reinstall.poller;

import com.hostkey.reinstall.runtime.ServiceMetrics;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;

/**
 * The stage poller's metrics and readiness. Prometheus names (every series also carries
 * {@code service="stage-poller"}):
 *
 * <ul>
 *   <li>{@code stage_poller_checks_total{answer}}: eq_callback checks by answer ({@code not_ready},
 *       {@code stage}, {@code ok}, {@code error}, {@code key_not_found}, or {@code failed} when the call
 *       itself failed); its rate is the poll rate;</li>
 *   <li>{@code stage_poller_budget_requests_per_second}: the configured budget; budget use is
 *       {@code rate(stage_poller_checks_total[1m]) / stage_poller_budget_requests_per_second};</li>
 *   <li>{@code stage_poller_watched_keys}: keys this instance polls;</li>
 *   <li>{@code stage_poller_events_total{event}}: events published, by type;</li>
 *   <li>{@code reinstall_reconciliations_total{kind="callback_key_vanished", action}}: keys that vanished
 *       without their answer, left to the projector to reconcile;</li>
 *   <li>{@code reinstall_dead_letters_total{source_topic}}: unreadable poll targets dead-lettered;</li>
 *   <li>{@code kafka_consumer_*}, {@code kafka_producer_*}: the Kafka clients' own metrics;</li>
 *   <li>{@code hostkey_calls_seconds{action="eq_callback/check", outcome}}: see
 *       {@link com.hostkey.invapi.client.metrics.MeteredHostkeyApi}.</li>
 * </ul>
 * Readiness: the consumer has joined its group and got an assignment since it was last created.
 */
public final class PollerMetrics implements AutoCloseable {

    static final String SERVICE = "stage-poller";

    private final MeterRegistry registry;
    private final ScheduledExecutorService clientMetricsRefresh = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("poller-kafka-metrics").factory());
    private final List<KafkaClientMetrics> producerMetrics = new ArrayList<>();
    private KafkaClientMetrics consumerMetrics;
    private volatile boolean ready;

    public PollerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Metrics nobody reads: for tests and embedded use. */
    public static PollerMetrics disabled() {
        return new PollerMetrics(new CompositeMeterRegistry());
    }

    /** A Prometheus registry with the JVM's own metrics, every series tagged {@code service="stage-poller"}. */
    public static PrometheusMeterRegistry prometheusRegistry() {
        return ServiceMetrics.prometheusRegistry(SERVICE);
    }

    /** The budget and the number of watched keys, as gauges. */
    public void watching(IntSupplier requestsPerSecond, IntSupplier watchedKeys) {
        Gauge.builder("stage.poller.budget.requests.per.second", requestsPerSecond::getAsInt)
                .description("this instance's share of POLLER_MAX_REQUESTS_PER_SECOND: the eq_callback checks it may make per second")
                .register(registry);
        Gauge.builder("stage.poller.watched.keys", watchedKeys::getAsInt)
                .description("eq_callback keys this instance polls")
                .register(registry);
    }

    synchronized void producersCreated(Producer<?, ?>... producers) {
        for (Producer<?, ?> producer : producers) {
            KafkaClientMetrics binder = new KafkaClientMetrics(producer, List.of(), clientMetricsRefresh);
            binder.bindTo(registry);
            producerMetrics.add(binder);
        }
    }

    /** A new consumer replaces the old one: its metrics too, and readiness waits for its assignment. */
    synchronized void consumerConnected(Consumer<?, ?> consumer) {
        ready = false;
        if (consumerMetrics != null) {
            consumerMetrics.close();
        }
        consumerMetrics = new KafkaClientMetrics(consumer, List.of(), clientMetricsRefresh);
        consumerMetrics.bindTo(registry);
    }

    /** The group gave this instance its partitions (possibly none: an idle spare is ready too). */
    void assigned(Collection<TopicPartition> partitions) {
        ready = true;
    }

    /** True once the current consumer has got an assignment. */
    public boolean ready() {
        return ready;
    }

    void checked(CallbackAnswer answer) {
        check(answer.kind().name().toLowerCase(Locale.ROOT));
    }

    void checkFailed() {
        check("failed");
    }

    private void check(String answer) {
        Counter.builder("stage.poller.checks")
                .description("eq_callback checks by answer")
                .tags("answer", answer)
                .register(registry)
                .increment();
    }

    void published(Object payload) {
        Counter.builder("stage.poller.events")
                .description("Events published to reinstall-events, by type")
                .tags("event", payload.getClass().getSimpleName())
                .register(registry)
                .increment();
        if (payload instanceof CallbackKeyVanished vanished) {
            Counter.builder("reinstall.reconciliations")
                    .description("Outcomes reconciled instead of acted on blindly")
                    .tags("kind", "callback_key_vanished",
                            "action", vanished.getAction() == null ? "REINSTALL_KEY" : vanished.getAction().name())
                    .register(registry)
                    .increment();
        }
    }

    void deadLettered(String sourceTopic) {
        Counter.builder("reinstall.dead.letters")
                .description("Records written to reinstall-dead-letters")
                .tags("source_topic", sourceTopic)
                .register(registry)
                .increment();
    }

    @Override
    public synchronized void close() {
        ready = false;
        if (consumerMetrics != null) {
            consumerMetrics.close();
        }
        producerMetrics.forEach(KafkaClientMetrics::close);
        producerMetrics.clear();
        clientMetricsRefresh.shutdownNow();
    }
}

package com.hostkey.reinstall.handler;

import com.hostkey.reinstall.runtime.ServiceMetrics;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;

/**
 * The command handler's metrics and readiness. Prometheus names (tags in braces; every series also
 * carries {@code service="command-handler"}):
 *
 * <ul>
 *   <li>{@code command_handler_commands_total{command, outcome}}: step commands executed, by command type
 *       and the event that answered it ({@code ActionAccepted}, {@code HostkeyCallFailed:TRANSIENT}, ...);</li>
 *   <li>{@code reinstall_reconciliations_total{kind="outcome_unknown", action}}: commands redelivered with
 *       their intent still open, answered AMBIGUOUS instead of being called again;</li>
 *   <li>{@code reinstall_dead_letters_total{source_topic, reason}}: step records the handler could not act on
 *       (unauthenticated, unreadable, misaddressed), written to the dead-letter topic;</li>
 *   <li>{@code command_handler_assigned_partitions}: command partitions this instance owns;</li>
 *   <li>{@code kafka_consumer_*}, {@code kafka_producer_*}: the Kafka clients' own metrics (consumer lag:
 *       {@code kafka_consumer_fetch_manager_records_lag_max});</li>
 *   <li>{@code hostkey_calls_seconds{action, outcome}}: see {@link com.hostkey.invapi.client.metrics.MeteredHostkeyApi}.</li>
 * </ul>
 * Never tagged by server id. Readiness: the consumer has joined its group and got an assignment
 * since it was last (re)created.
 */
public final class HandlerMetrics implements AutoCloseable {

    static final String SERVICE = "command-handler";

    private final MeterRegistry registry;
    private final AtomicInteger assignedPartitions = new AtomicInteger();
    private final AtomicInteger buffered = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger paused = new AtomicInteger();
    private final ScheduledExecutorService clientMetricsRefresh = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("handler-kafka-metrics").factory());
    private final List<KafkaClientMetrics> clientMetrics = new ArrayList<>();
    private volatile boolean ready;

    public HandlerMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("command.handler.assigned.partitions", assignedPartitions, AtomicInteger::get)
                .description("reinstall-steps partitions assigned to this instance")
                .register(registry);
        Gauge.builder("command.handler.commands.buffered", buffered, AtomicInteger::get)
                .description("Step commands read and not yet answered (running or waiting for their server's lane)")
                .register(registry);
        Gauge.builder("command.handler.calls.running", running, AtomicInteger::get)
                .description("Hostkey calls running now (at most HANDLER_MAX_CONCURRENT_CALLS)")
                .register(registry);
        Gauge.builder("command.handler.paused.partitions", paused, AtomicInteger::get)
                .description("Partitions paused by back-pressure (HANDLER_MAX_BUFFERED_COMMANDS reached)")
                .register(registry);
    }

    /** Metrics nobody reads: for tests and embedded use. */
    public static HandlerMetrics disabled() {
        return new HandlerMetrics(new CompositeMeterRegistry());
    }

    /** A Prometheus registry with the JVM's own metrics, every series tagged {@code service="command-handler"}. */
    public static PrometheusMeterRegistry prometheusRegistry() {
        return ServiceMetrics.prometheusRegistry(SERVICE);
    }

    /** New Kafka clients replace the old ones: their metrics too, and readiness waits for an assignment. */
    synchronized void clientsConnected(Consumer<?, ?> consumer, Producer<?, ?> producer) {
        unbindClients();
        for (KafkaClientMetrics binder : List.of(new KafkaClientMetrics(consumer, List.of(), clientMetricsRefresh),
                new KafkaClientMetrics(producer, List.of(), clientMetricsRefresh))) {
            binder.bindTo(registry);
            clientMetrics.add(binder);
        }
    }

    synchronized void clientsClosed() {
        unbindClients();
    }

    private void unbindClients() {
        ready = false;
        assignedPartitions.set(0);
        clientMetrics.forEach(KafkaClientMetrics::close);
        clientMetrics.clear();
    }

    /** The group gave this instance its partitions (possibly none: an idle spare is ready too). */
    void assigned(Collection<TopicPartition> partitions) {
        assignedPartitions.set(partitions.size());
        ready = true;
    }

    /** The pipeline after a turn of the loop. */
    void pipeline(int bufferedCommands, int runningCalls, int pausedPartitions) {
        buffered.set(bufferedCommands);
        running.set(runningCalls);
        paused.set(pausedPartitions);
    }

    /** True once the current consumer has got an assignment. */
    public boolean ready() {
        return ready;
    }

    void commandExecuted(StepCommand command, ReinstallEvent outcome) {
        String outcomeName = outcome.getPayload().getClass().getSimpleName();
        if (outcome.getPayload() instanceof HostkeyCallFailed failed) {
            outcomeName += ":" + failed.getErrorClass().name();
        }
        Counter.builder("command.handler.commands")
                .description("Step commands executed, by command type and the outcome event")
                .tags("command", command.getPayload().getClass().getSimpleName(), "outcome", outcomeName)
                .register(registry)
                .increment();
    }

    void outcomeUnknown(StepCommand command) {
        Counter.builder("reinstall.reconciliations")
                .description("Outcomes reconciled instead of acted on blindly")
                .tags("kind", "outcome_unknown", "action", StepExecutor.callOf(command))
                .register(registry)
                .increment();
    }

    void deadLettered(String sourceTopic, String reason) {
        Counter.builder("reinstall.dead.letters")
                .description("Step records the handler could not act on, dead-lettered with the reason")
                .tags("source_topic", sourceTopic, "reason", reason)
                .register(registry)
                .increment();
    }

    @Override
    public synchronized void close() {
        unbindClients();
        clientMetricsRefresh.shutdownNow();
    }
}

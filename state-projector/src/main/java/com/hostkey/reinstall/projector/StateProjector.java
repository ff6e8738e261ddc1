package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.projector.dashboard.OperatorActions;
import com.hostkey.reinstall.projector.saga.DeadLetterHandler;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running projector: the Kafka Streams instance and its query server.
 * Topics in: reinstall-requests, reinstall-events, reinstall-admissions; out: reinstall-steps
 * (signed step commands), reinstall-events, reinstall-poll-targets, reinstall-completions,
 * reinstall-admissions, and reinstall-dead-letters for poison records (see {@link DeadLetterHandler}).
 * All keyed by server id.
 */
public final class StateProjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StateProjector.class);

    private final KafkaStreams streams;
    private final StateQueryServer queries;
    private final ProjectorMetrics metrics;

    private StateProjector(KafkaStreams streams, StateQueryServer queries, ProjectorMetrics metrics) {
        this.streams = streams;
        this.queries = queries;
        this.metrics = metrics;
    }

    /** Starts the projector; topics must exist (see {@link TopicProvisioner}). */
    public static StateProjector start(ProjectorConfig config) {
        Objects.requireNonNull(config.stepAuth(), "the projector signs every step command: give it the step keys (STEP_AUTH_KEYS)");
        ReinstallTopics topics = ReinstallTopics.create(config.serdeConfig());
        requireTopics(config);
        StateQueryServer queries;
        try {
            queries = new StateQueryServer(config.httpHost(), config.httpPort(), config.queryApi(), config.saga().quarantineAfter());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the query port " + config.httpPort(), e);
        }
        ProjectorMetrics metrics = ProjectorMetrics.create();
        KafkaStreams streams = new KafkaStreams(
                ReinstallTopology.build(topics, config.saga(), config.admission(), config.timerInterval(), config.stepAuth(),
                        metrics.saga()),
                config.streamsConfig(queries.port()));
        streams.setUncaughtExceptionHandler(e -> {
            log.error("projector stream thread failed, replacing it: {}", e.toString());
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        metrics.bind(streams);
        queries.metrics(metrics::scrape);
        if (config.queryApi().operatorActionsEnabled()) {
            // Operators' cancel and release from the dashboard: a producer of this process, closed with the query server.
            queries.operatorActions(OperatorActions.start(config, topics));
        }
        queries.serve(streams);
        streams.start();
        log.info("state-projector started: application.id={} queries on {}://{}:{} ({})", config.applicationId(),
                queries.scheme(), config.httpHost(), queries.port(), config.queryApi());
        return new StateProjector(streams, queries, metrics);
    }

    /**
     * Poison records go to the dead-letter topic; were it missing, the first one would block the
     * task's producer and then kill its thread, so its absence is a start-up error instead. The
     * requests topic must have as many partitions as reinstall-events: the repartition topic that
     * routes requests takes its count from it, and a request must land on the partition (task) its
     * server's events land on.
     */
    private static void requireTopics(ProjectorConfig config) {
        try (Admin admin = Admin.create(config.adminConfig())) {
            Map<String, TopicDescription> topics;
            try {
                topics = admin.describeTopics(List.of(ReinstallTopics.DEAD_LETTERS, ReinstallTopics.REQUESTS, ReinstallTopics.EVENTS))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new IllegalStateException("A topic the projector needs (" + ReinstallTopics.DEAD_LETTERS + ", "
                            + ReinstallTopics.REQUESTS + ", " + ReinstallTopics.EVENTS + ") does not exist: create the topics "
                            + "(TopicProvisioner.ensureTopics) before starting the projector", e.getCause());
                }
                throw e;
            }
            int requests = topics.get(ReinstallTopics.REQUESTS).partitions().size();
            int events = topics.get(ReinstallTopics.EVENTS).partitions().size();
            if (requests != events) {
                throw new IllegalStateException(ReinstallTopics.REQUESTS + " has " + requests + " partitions and "
                        + ReinstallTopics.EVENTS + " " + events + ": they must have as many (see TopicProvisioner)");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot list the topics of " + config.bootstrapServers() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking the dead-letter topic", e);
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** {@code http} or {@code https}. */
    public String queryScheme() {
        return queries.scheme();
    }

    public int queryPort() {
        return queries.port();
    }

    @Override
    public void close() {
        queries.close();
        streams.close(Duration.ofSeconds(30));
        metrics.close();
    }
}

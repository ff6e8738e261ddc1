package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.TopicProvisioner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running projector: the Kafka Streams instance and its query server.
 * Topics in: reinstall-commands, reinstall-events; out: reinstall-commands (step commands),
 * reinstall-poll-targets, reinstall-completions. All keyed by server id.
 */
public final class StateProjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StateProjector.class);

    private final KafkaStreams streams;
    private final StateQueryServer queries;

    private StateProjector(KafkaStreams streams, StateQueryServer queries) {
        this.streams = streams;
        this.queries = queries;
    }

    /** Starts the projector; topics must exist (see {@link TopicProvisioner}). */
    public static StateProjector start(ProjectorConfig config) {
        ReinstallTopics topics = ReinstallTopics.create(config.serdeConfig());
        StateQueryServer queries;
        try {
            queries = new StateQueryServer(config.httpHost(), config.httpPort());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open the query port " + config.httpPort(), e);
        }
        KafkaStreams streams = new KafkaStreams(
                ReinstallTopology.build(topics, config.saga(), config.admission(), config.timerInterval()),
                config.streamsConfig(queries.port()));
        streams.setUncaughtExceptionHandler(e -> {
            log.error("projector stream thread failed, replacing it: {}", e.toString());
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        queries.serve(streams);
        streams.start();
        log.info("state-projector started: application.id={} queries on http://{}:{}", config.applicationId(),
                config.httpHost(), queries.port());
        return new StateProjector(streams, queries);
    }

    public KafkaStreams streams() {
        return streams;
    }

    public int queryPort() {
        return queries.port();
    }

    @Override
    public void close() {
        queries.close();
        streams.close(Duration.ofSeconds(30));
    }
}

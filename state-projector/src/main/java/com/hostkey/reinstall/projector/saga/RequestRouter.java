package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projector's own routing of upstream requests: re-keys each {@link ReinstallRequest} by the
 * server id in its payload, so that the repartition topic behind it (written with Kafka Streams'
 * partitioner) brings the request to the task that owns the server, whatever partitioner, partition
 * or key the producer used (librdkafka's CRC32, murmur2, round-robin for a null key).
 *
 * <p>The producer's key travels on in the {@value #PRODUCER_KEY} header (any header of that name the
 * producer set is replaced), so the saga can still refuse a request whose key names another server.
 * A null value (a tombstone on a topic that is not compacted) carries no request and is dropped.
 */
final class RequestRouter implements Processor<String, ReinstallRequest, String, ReinstallRequest> {

    /** The key the producer gave the request: absent when it gave none. */
    static final String PRODUCER_KEY = "reinstall-producer-key";
    private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);

    private final CommitPacer pacer;
    private ProcessorContext<String, ReinstallRequest> context;
    private BacklogGuard backlog;
    private CommitPacer.Task commits;

    RequestRouter(CommitPacer pacer) {
        this.pacer = pacer;
    }

    @Override
    public void init(ProcessorContext<String, ReinstallRequest> context) {
        this.context = context;
        this.backlog = BacklogGuard.standard(context.currentSystemTimeMs());
        // The routed request reaches the saga once this sub-topology's transaction commits.
        this.commits = pacer.forTask(context, backlog);
    }

    @Override
    public void process(Record<String, ReinstallRequest> record) {
        backlog.processed(record.timestamp(), context.currentSystemTimeMs());
        if (record.value() == null) {
            log.debug("dropping a request record without a value");
            return;
        }
        Headers headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!PRODUCER_KEY.equals(header.key())) {
                headers.add(header);
            }
        }
        if (record.key() != null) {
            headers.add(PRODUCER_KEY, record.key().getBytes(StandardCharsets.UTF_8));
        }
        context.forward(record.withKey(String.valueOf(record.value().getServerId())).withHeaders(headers));
        commits.forwarded();
    }

    /**
     * The key the producer gave a routed request when it names another server than {@code serverKey}
     * (the server the request is for): which server was meant is then unclear. Empty for a request
     * keyed by its own server or without a key.
     */
    static Optional<String> otherServersKey(Headers headers, String serverKey) {
        String producerKey = producerKey(headers);
        return producerKey == null || producerKey.equals(serverKey) ? Optional.empty() : Optional.of(producerKey);
    }

    /** The key the producer gave the request, or null when it gave none. */
    private static String producerKey(Headers headers) {
        Header header = headers.lastHeader(PRODUCER_KEY);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

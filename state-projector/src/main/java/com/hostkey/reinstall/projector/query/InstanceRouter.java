package com.hostkey.reinstall.projector.query;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.projector.http.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which instance answers a query, the one owner of the interactive-queries routing (as in Kafka
 * Streams' interactive-queries examples and Confluent's {@code MetadataService}):
 *
 * <ul>
 *   <li>{@link #byKey}: one key's answer comes from the instance whose store holds the key's
 *       partition as active; any other instance forwards the request there, and the owner answers
 *       from its own store. An instance asked with {@value #LOCAL_ONLY} answers from its own store and
 *       never forwards again, so a request moves at most once.</li>
 *   <li>{@link #gather}: a question about the whole fleet is asked of every instance holding the
 *       store, each answering its share with {@value #LOCAL_ONLY} (this one from its own store), and
 *       the shares are merged into one answer. Shares travel as plain JSON maps.</li>
 * </ul>
 *
 * <p>Forwarding: one HTTP client, HTTP/1.1, HTTPS with the query API's trust when TLS is on, no
 * redirects, connecting within 2 s and answered within {@code FORWARD_TIMEOUT} (5 s), the caller's
 * bearer token carried. An answer is read up to {@value #MAX_FORWARDED_BYTES} bytes (16 MiB): an
 * instance's share of the largest listing (1000 states of a few KB each) fits several times over,
 * and a peer sending more is treated as unreachable rather than allowed to fill this heap. A peer
 * refusing the forwarded token (401) means the instances accept different tokens: logged as a
 * warning, and the 401 is relayed.
 *
 * <p>Whatever cannot be answered now is a 503 with {@code Retry-After} ({@link Reply.Unavailable}):
 * the store not queryable yet (starting, restoring, rebalancing), the key's partition moving between
 * instances, an instance unreachable or slow.
 */
public final class InstanceRouter implements AutoCloseable {

    /** The query parameter by which an instance asks another for its own answer, from its own store. */
    public static final String LOCAL_ONLY = "local=true";
    static final int MAX_FORWARDED_BYTES = 16 * 1024 * 1024;
    static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long gathering waits for each share: the forward's own timeout, and a second for its answer to be read. */
    private static final Duration SHARE_WAIT = FORWARD_TIMEOUT.plusSeconds(1);
    static final String NOT_READY = "state store not ready, retry shortly";
    private static final Logger log = LoggerFactory.getLogger(InstanceRouter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One key's lookup.
     *
     * @param store     the store holding the key
     * @param key       the key the store is partitioned by: it names the owner
     * @param ownerPath the path and query the owner answers the key at from its own store (with {@value #LOCAL_ONLY})
     * @param view      the JSON of the value found
     * @param unknown   the 404's message when no instance knows the key
     * @param read      how the owner reads the value from its own store; the key's own value unless told
     */
    public record KeyLookup<V>(String store, String key, String ownerPath, Function<? super V, ?> view, String unknown,
                               LocalRead<?, V> read) {

        /** The lookup of the key's own value in the store. */
        public KeyLookup(String store, String key, String ownerPath, Function<? super V, ?> view, String unknown) {
            this(store, key, ownerPath, view, unknown, KeyLookup.<V>ownValue());
        }

        private static <V> LocalRead<V, V> ownValue() {
            return ReadOnlyKeyValueStore::get;
        }
    }

    /**
     * How the owner finds a key's value in its own store of {@code S} values, for a store that keeps
     * it other than under the key alone (a server's timeline: one record per entry).
     */
    @FunctionalInterface
    public interface LocalRead<S, V> {
        /** The value, or null when this store holds none. */
        V read(ReadOnlyKeyValueStore<String, S> store, String key);
    }

    /**
     * A question every instance holding {@code store} answers for its share.
     *
     * @param localShare this instance's share, computed from its own store
     * @param sharePath  the path and query at which another instance answers its share (with {@value #LOCAL_ONLY})
     * @param merge      the one answer made of all the shares
     */
    public record Gathering(String store, Supplier<Map<String, Object>> localShare, String sharePath, Merge merge) {}

    /** Makes the one answer of the shares of {@code instances} instances, this one's among them. */
    @FunctionalInterface
    public interface Merge {
        Object answer(List<Map<String, Object>> shares, int instances);
    }

    /** Who answers one key, as {@link #owner} decides it. */
    sealed interface Owner {

        /** This instance, from its own store; {@code mine} when it owns the key now (not: asked as the owner while the key moves). */
        record Here(boolean mine) implements Owner {}

        /** The instance that owns the key: the request is forwarded there. */
        record Elsewhere(HostInfo host) implements Owner {}

        /** Nobody known yet (metadata not available while the group forms): retry shortly. */
        record NotKnown() implements Owner {}
    }

    /** What routing needs of Kafka Streams; an interface so the routing is tested without a broker. */
    interface Instances {
        KeyQueryMetadata ownerOf(String store, String key);

        Collection<HostInfo> holdersOf(String store);

        <V> ReadOnlyKeyValueStore<String, V> localStore(String store);
    }

    private final HostInfo self;
    private final String scheme;
    private final HttpClient forwarder;
    private final ExecutorService shares = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Instances instances;

    /**
     * @param self the host and port this instance advertises to the others (its {@code application.server})
     * @param tls  what forwarding trusts when the instances serve HTTPS; null for plain HTTP
     */
    public InstanceRouter(HostInfo self, SSLContext tls) {
        this.self = self;
        this.scheme = tls == null ? "http" : "https";
        HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            client.sslContext(tls);
        }
        this.forwarder = client.build();
    }

    /** Routes with this streams instance's metadata and stores. */
    public void serve(KafkaStreams streams) {
        serve(new StreamsInstances(streams));
    }

    void serve(Instances instances) {
        this.instances = instances;
    }

    /** This instance's share of {@code store}: for the local scans of {@link Gathering#localShare()}. */
    public <V> ReadOnlyKeyValueStore<String, V> localStore(String store) {
        return instances.localStore(store);
    }

    /**
     * One key's answer: the view of its value, 404, or the owner's answer relayed.
     *
     * @param localOnly asked with {@value #LOCAL_ONLY}: answer from this instance's store, never forward
     * @param token     the caller's token, carried when forwarding; null when authentication is disabled
     */
    public <V> Reply byKey(KeyLookup<V> lookup, boolean localOnly, String token) {
        try {
            return switch (owner(instances.ownerOf(lookup.store(), lookup.key()), self, localOnly)) {
                case Owner.NotKnown() -> new Reply.Unavailable(NOT_READY);
                case Owner.Elsewhere(HostInfo owner) -> relay(owner, lookup.ownerPath(), token);
                case Owner.Here(boolean mine) -> {
                    V value = readLocally(lookup.read(), lookup.store(), lookup.key());
                    yield value != null ? new Reply.Json(200, lookup.view().apply(value)) : absent(lookup, mine);
                }
            };
        } catch (InvalidStateStoreException e) {
            return new Reply.Unavailable(NOT_READY);
        }
    }

    private <S, V> V readLocally(LocalRead<S, V> read, String store, String key) {
        return read.read(instances.localStore(store), key);
    }

    /**
     * The fleet's answer, merged from every instance's share, or this instance's share alone.
     *
     * @param localOnly asked with {@value #LOCAL_ONLY} (by the instance gathering): this instance's share is the answer
     * @param token     the caller's token, carried to the other instances; null when authentication is disabled
     */
    public Reply gather(Gathering gathering, boolean localOnly, String token) {
        try {
            if (localOnly) {
                return new Reply.Json(200, gathering.localShare().get());
            }
            Collection<HostInfo> holders = instances.holdersOf(gathering.store());
            if (holders.isEmpty()) {
                return new Reply.Unavailable(NOT_READY);
            }
            List<Future<Map<String, Object>>> parts = new ArrayList<>();
            for (HostInfo host : holders) {
                parts.add(shares.submit(() -> host.equals(self) ? gathering.localShare().get() : share(host, gathering.sharePath(), token)));
            }
            List<Map<String, Object>> answers = new ArrayList<>();
            for (Future<Map<String, Object>> part : parts) {
                try {
                    answers.add(part.get(SHARE_WAIT.toMillis(), TimeUnit.MILLISECONDS));
                } catch (ExecutionException e) {
                    parts.forEach(p -> p.cancel(true));
                    return failedShare(e.getCause());
                } catch (TimeoutException e) {
                    parts.forEach(p -> p.cancel(true));
                    return new Reply.Unavailable("an instance holding part of the state did not answer in time, retry shortly");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    parts.forEach(p -> p.cancel(true));
                    return new Reply.Unavailable("interrupted, retry shortly");
                }
            }
            return new Reply.Json(200, gathering.merge().answer(answers, holders.size()));
        } catch (InvalidStateStoreException e) {
            return new Reply.Unavailable(NOT_READY);
        }
    }

    /**
     * Who answers a key. Asked with {@value #LOCAL_ONLY}, this instance answers whatever the metadata
     * says (it was chosen as the owner; if it no longer is, the key is moving). Otherwise the active
     * owner answers; while no owner is known (the group forming) nobody can.
     */
    static Owner owner(KeyQueryMetadata metadata, HostInfo self, boolean localOnly) {
        HostInfo active = metadata == null ? null : metadata.activeHost();
        boolean known = active != null && active.port() >= 0;
        boolean mine = known && active.equals(self);
        if (localOnly || mine) {
            return new Owner.Here(mine);
        }
        return known ? new Owner.Elsewhere(active) : new Owner.NotKnown();
    }

    /** No value here: unknown when this instance owns the key, else asked as the owner while the key's partition moves. */
    static Reply absent(KeyLookup<?> lookup, boolean mine) {
        return mine ? new Reply.Error(404, lookup.unknown())
                : new Reply.Unavailable("server " + lookup.key() + " is moving between instances, retry shortly");
    }

    /** Why a share is missing, as the caller is told. */
    static Reply failedShare(Throwable cause) {
        if (cause instanceof InvalidStateStoreException) {
            return new Reply.Unavailable(NOT_READY);
        }
        log.warn("an instance's share of a fleet-wide query failed: {}", cause.toString());
        return new Reply.Unavailable("an instance holding part of the state did not answer, retry shortly");
    }

    /** At most {@value #MAX_FORWARDED_BYTES} bytes of an answer; more is an IOException, read no further. */
    static byte[] bounded(InputStream answer) throws IOException {
        try (InputStream in = answer) {
            byte[] body = in.readNBytes(MAX_FORWARDED_BYTES + 1);
            if (body.length > MAX_FORWARDED_BYTES) {
                throw new IOException("answer larger than " + MAX_FORWARDED_BYTES + " bytes");
            }
            return body;
        }
    }

    private Reply relay(HostInfo owner, String pathAndQuery, String token) {
        try {
            Forwarded answer = forward(owner, pathAndQuery, token);
            return new Reply.Relayed(answer.status(), answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply.Unavailable("interrupted, retry shortly");
        } catch (IOException e) {
            log.warn("forwarding a query to {} failed: {}", owner, e.toString());
            return new Reply.Unavailable("the instance owning this server is unreachable, retry shortly");
        }
    }

    private Map<String, Object> share(HostInfo host, String pathAndQuery, String token) throws IOException, InterruptedException {
        Forwarded answer = forward(host, pathAndQuery, token);
        if (answer.status() != 200) {
            throw new IOException("instance " + host + " answered " + answer.status());
        }
        return JSON.readValue(answer.body(), new TypeReference<>() {});
    }

    /** Another instance's answer, its body bounded. */
    private record Forwarded(int status, byte[] body) {}

    private Forwarded forward(HostInfo host, String pathAndQuery, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(FORWARD_TIMEOUT).header("Accept", "application/json").GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> response = forwarder.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] body = bounded(response.body());
        if (response.statusCode() == 401) {
            log.warn("instance {} refused a forwarded token: every instance must accept the same PROJECTOR_API_TOKENS "
                    + "and PROJECTOR_API_WRITE_TOKENS", host);
        }
        return new Forwarded(response.statusCode(), body);
    }

    @Override
    public void close() {
        shares.shutdownNow();
        forwarder.shutdownNow();
    }

    /** The routing's view of a running Kafka Streams instance. */
    private record StreamsInstances(KafkaStreams streams) implements Instances {

        @Override
        public KeyQueryMetadata ownerOf(String store, String key) {
            return streams.queryMetadataForKey(store, key, Serdes.String().serializer());
        }

        @Override
        public Collection<HostInfo> holdersOf(String store) {
            return streams.streamsMetadataForStore(store).stream().map(StreamsMetadata::hostInfo).toList();
        }

        @Override
        public <V> ReadOnlyKeyValueStore<String, V> localStore(String store) {
            return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()));
        }
    }
}

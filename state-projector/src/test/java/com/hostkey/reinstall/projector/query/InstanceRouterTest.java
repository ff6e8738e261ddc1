package com.hostkey.reinstall.projector.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.projector.http.Reply;
import com.hostkey.reinstall.projector.query.InstanceRouter.Gathering;
import com.hostkey.reinstall.projector.query.InstanceRouter.KeyLookup;
import com.hostkey.reinstall.projector.query.InstanceRouter.Owner;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routing of queries between instances, without a broker: this instance's metadata and store
 * are stand-ins, the other instance a real HTTP server that records what it was asked.
 */
class InstanceRouterTest {

    private static final String STORE = "states";
    private static final String TOKEN = "a-callers-token-0123456789";
    private static final HostInfo SELF = new HostInfo("127.0.0.1", 18083);

    private HttpServer peer;
    private HostInfo peerHost;
    private final List<String> peerAsked = new CopyOnWriteArrayList<>();
    private final List<String> peerTokens = new CopyOnWriteArrayList<>();
    private volatile int peerStatus = 200;
    private volatile byte[] peerBody = "{\"from\":\"peer\"}".getBytes(StandardCharsets.UTF_8);

    private final Map<String, HostInfo> owners = new HashMap<>();
    private final Map<String, String> localValues = new HashMap<>();
    private List<HostInfo> holders = List.of();
    private boolean storeNotQueryable;
    private InstanceRouter router;

    @BeforeEach
    void setUp() throws IOException {
        peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/", exchange -> {
            try (exchange) {
                peerAsked.add(exchange.getRequestURI().toString());
                peerTokens.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                exchange.sendResponseHeaders(peerStatus, peerBody.length);
                exchange.getResponseBody().write(peerBody);
            }
        });
        peer.start();
        peerHost = new HostInfo("127.0.0.1", peer.getAddress().getPort());
        router = new InstanceRouter(SELF, null);
        router.serve(new FakeInstances());
    }

    @AfterEach
    void tearDown() {
        router.close();
        peer.stop(0);
    }

    @Test
    void shouldDecideWhoAnswersAKeyFromItsActiveOwner() {
        HostInfo other = new HostInfo("10.0.0.2", 8083);

        assertThat(InstanceRouter.owner(metadata(SELF), SELF, false)).isEqualTo(new Owner.Here(true));
        assertThat(InstanceRouter.owner(metadata(other), SELF, false)).isEqualTo(new Owner.Elsewhere(other));
        assertThat(InstanceRouter.owner(metadata(new HostInfo("127.0.0.1", 18084)), SELF, false)).as("another instance on this host")
                .isEqualTo(new Owner.Elsewhere(new HostInfo("127.0.0.1", 18084)));
        assertThat(InstanceRouter.owner(KeyQueryMetadata.NOT_AVAILABLE, SELF, false)).isEqualTo(new Owner.NotKnown());
        assertThat(InstanceRouter.owner(null, SELF, false)).isEqualTo(new Owner.NotKnown());
        assertThat(InstanceRouter.owner(metadata(other), SELF, true)).as("asked as the owner: never forwards again")
                .isEqualTo(new Owner.Here(false));
        assertThat(InstanceRouter.owner(KeyQueryMetadata.NOT_AVAILABLE, SELF, true)).isEqualTo(new Owner.Here(false));
        assertThat(InstanceRouter.owner(metadata(SELF), SELF, true)).isEqualTo(new Owner.Here(true));
    }

    @Test
    void shouldAnswerAKeyItOwnsFromItsOwnStoreOr404() {
        owners.put("7", SELF);
        owners.put("8", SELF);
        localValues.put("7", "seven");

        assertThat(router.byKey(lookup("7"), false, TOKEN)).isEqualTo(new Reply.Json(200, Map.of("value", "seven")));
        assertThat(router.byKey(lookup("8"), false, TOKEN)).isEqualTo(new Reply.Error(404, "nothing known of 8"));
        assertThat(peerAsked).isEmpty();
    }

    @Test
    void shouldAnswerAKeyStoredUnderSeveralRecordsWithWhatItsReaderFindsOr404() {
        owners.put("7", SELF);
        owners.put("8", SELF);
        localValues.put("7/0", "seven");
        localValues.put("7/1", "and more");
        InstanceRouter.LocalRead<String, List<String>> parts = (store, key) -> {
            List<String> found = Stream.of(store.get(key + "/0"), store.get(key + "/1")).filter(Objects::nonNull).toList();
            return found.isEmpty() ? null : found;
        };

        assertThat(router.byKey(new KeyLookup<>(STORE, "7", "/things/7?" + InstanceRouter.LOCAL_ONLY, value -> Map.of("value", value),
                "nothing known of 7", parts), false, TOKEN)).isEqualTo(new Reply.Json(200, Map.of("value", List.of("seven", "and more"))));
        assertThat(router.byKey(new KeyLookup<>(STORE, "8", "/things/8?" + InstanceRouter.LOCAL_ONLY, value -> Map.of("value", value),
                "nothing known of 8", parts), false, TOKEN)).isEqualTo(new Reply.Error(404, "nothing known of 8"));
        assertThat(peerAsked).isEmpty();
    }

    @Test
    void shouldForwardAKeyOwnedElsewhereOnceWithLocalTrueCarryingTheCallersToken() {
        owners.put("8", peerHost);

        Reply reply = router.byKey(lookup("8"), false, TOKEN);

        assertThat(reply).isInstanceOfSatisfying(Reply.Relayed.class, relayed -> {
            assertThat(relayed.status()).isEqualTo(200);
            assertThat(new String(relayed.body(), StandardCharsets.UTF_8)).isEqualTo("{\"from\":\"peer\"}");
        });
        assertThat(peerAsked).containsExactly("/things/8?local=true");
        assertThat(peerTokens).containsExactly("Bearer " + TOKEN);
    }

    @Test
    void shouldForwardWithoutATokenWhenAuthenticationIsDisabledAndRelayTheOwnersRefusal() {
        owners.put("8", peerHost);
        peerStatus = 401;
        peerBody = "{\"error\":\"invalid bearer token\",\"status\":401}".getBytes(StandardCharsets.UTF_8);

        Reply reply = router.byKey(lookup("8"), false, null);

        assertThat(reply).isInstanceOfSatisfying(Reply.Relayed.class, relayed -> assertThat(relayed.status()).isEqualTo(401));
        assertThat(peerTokens).containsExactly("null");
    }

    @Test
    void shouldAnswerFromItsOwnStoreWhenAskedAsTheOwnerAndSayTheKeyIsMovingWhenItHasNone() {
        owners.put("7", peerHost);
        owners.put("8", peerHost);
        localValues.put("7", "seven");

        assertThat(router.byKey(lookup("7"), true, TOKEN)).isEqualTo(new Reply.Json(200, Map.of("value", "seven")));
        assertThat(router.byKey(lookup("8"), true, TOKEN))
                .isEqualTo(new Reply.Unavailable("server 8 is moving between instances, retry shortly"));
        assertThat(peerAsked).as("asked with local=true, an instance never forwards").isEmpty();
    }

    @Test
    void shouldAnswerNotReadyWhileNoOwnerIsKnownOrTheStoreCannotBeQueried() {
        assertThat(router.byKey(lookup("9"), false, TOKEN)).isEqualTo(new Reply.Unavailable(InstanceRouter.NOT_READY));

        owners.put("9", SELF);
        storeNotQueryable = true;
        assertThat(router.byKey(lookup("9"), false, TOKEN)).isEqualTo(new Reply.Unavailable(InstanceRouter.NOT_READY));
        assertThat(router.byKey(lookup("9"), true, TOKEN)).isEqualTo(new Reply.Unavailable(InstanceRouter.NOT_READY));
    }

    @Test
    void shouldCallAnOwnerThatCannotBeReachedOrSendsTooMuchUnreachable() {
        owners.put("8", peerHost);
        peerBody = new byte[InstanceRouter.MAX_FORWARDED_BYTES + 1];
        Reply unreachable = new Reply.Unavailable("the instance owning this server is unreachable, retry shortly");

        assertThat(router.byKey(lookup("8"), false, TOKEN)).isEqualTo(unreachable);

        owners.put("8", new HostInfo("127.0.0.1", 1));
        assertThat(router.byKey(lookup("8"), false, TOKEN)).as("nothing listens there").isEqualTo(unreachable);
    }

    @Test
    void shouldGatherEveryHoldersShareItsOwnFromItsStoreAndMergeThem() {
        holders = List.of(SELF, peerHost);

        Reply reply = router.gather(gathering(), false, TOKEN);

        assertThat(reply).isEqualTo(new Reply.Json(200, Map.of("shares", List.of(Map.of("from", "self"), Map.of("from", "peer")),
                "instances", 2)));
        assertThat(peerAsked).containsExactly("/things?limit=3&local=true");
        assertThat(peerTokens).containsExactly("Bearer " + TOKEN);
    }

    @Test
    void shouldAnswerOnlyItsOwnShareWhenAskedWithLocalTrue() {
        holders = List.of(SELF, peerHost);

        assertThat(router.gather(gathering(), true, TOKEN)).isEqualTo(new Reply.Json(200, Map.of("from", "self")));
        assertThat(peerAsked).isEmpty();
    }

    @Test
    void shouldAnswerNotReadyWhenAnyShareIsMissing() {
        assertThat(router.gather(gathering(), false, TOKEN)).as("no instance holds the store yet")
                .isEqualTo(new Reply.Unavailable(InstanceRouter.NOT_READY));

        holders = List.of(SELF, peerHost);
        peerStatus = 401;
        assertThat(router.gather(gathering(), false, TOKEN))
                .isEqualTo(new Reply.Unavailable("an instance holding part of the state did not answer, retry shortly"));

        peerStatus = 200;
        storeNotQueryable = true;
        assertThat(router.gather(gathering(), false, TOKEN)).isEqualTo(new Reply.Unavailable(InstanceRouter.NOT_READY));
        assertThat(router.gather(gathering(), true, TOKEN)).isEqualTo(new Reply.Unavailable(InstanceRouter.NOT_READY));
    }

    @Test
    void shouldReadAnotherInstancesAnswerUpToTheLimitOnly() throws IOException {
        assertThat(InstanceRouter.bounded(new ByteArrayInputStream(new byte[InstanceRouter.MAX_FORWARDED_BYTES])))
                .hasSize(InstanceRouter.MAX_FORWARDED_BYTES);
        assertThatThrownBy(() -> InstanceRouter.bounded(new ByteArrayInputStream(new byte[InstanceRouter.MAX_FORWARDED_BYTES + 1])))
                .isInstanceOf(IOException.class).hasMessageContaining("larger than 16777216 bytes");
    }

    // ------------------------------------------------------------------ helpers

    private static KeyLookup<String> lookup(String key) {
        return new KeyLookup<>(STORE, key, "/things/" + key + "?" + InstanceRouter.LOCAL_ONLY, value -> Map.of("value", value),
                "nothing known of " + key);
    }

    private Gathering gathering() {
        return new Gathering(STORE, () -> {
            if (storeNotQueryable) {
                throw new InvalidStateStoreException("restoring");
            }
            return Map.of("from", "self");
        }, "/things?limit=3&" + InstanceRouter.LOCAL_ONLY, (shares, instances) -> Map.of("shares", shares, "instances", instances));
    }

    private static KeyQueryMetadata metadata(HostInfo active) {
        return new KeyQueryMetadata(active, Set.of(), 0);
    }

    /** This instance's Kafka Streams, as far as routing sees it. */
    private final class FakeInstances implements InstanceRouter.Instances {

        @Override
        public KeyQueryMetadata ownerOf(String store, String key) {
            HostInfo owner = owners.get(key);
            return owner == null ? KeyQueryMetadata.NOT_AVAILABLE : metadata(owner);
        }

        @Override
        public Collection<HostInfo> holdersOf(String store) {
            return holders;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> ReadOnlyKeyValueStore<String, V> localStore(String store) {
            if (storeNotQueryable) {
                throw new InvalidStateStoreException("restoring");
            }
            return (ReadOnlyKeyValueStore<String, V>) new ReadOnlyKeyValueStore<String, String>() {
                @Override
                public String get(String key) {
                    return localValues.get(key);
                }

                @Override
                public KeyValueIterator<String, String> range(String from, String to) {
                    throw new UnsupportedOperationException("routing reads single keys");
                }

                @Override
                public KeyValueIterator<String, String> all() {
                    throw new UnsupportedOperationException("routing reads single keys");
                }

                @Override
                public long approximateNumEntries() {
                    return localValues.size();
                }
            };
        }
    }
}

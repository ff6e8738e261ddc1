package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.projector.dashboard.DashboardRoutes;
import com.hostkey.reinstall.projector.dashboard.OperatorActions;
import com.hostkey.reinstall.projector.http.HttpApiServer;
import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.http.QueryTls;
import com.hostkey.reinstall.projector.http.Route;
import com.hostkey.reinstall.projector.query.InstanceRouter;
import com.hostkey.reinstall.projector.query.StateRoutes;
import com.hostkey.reinstall.runtime.OperationsHttpServer.Probe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The projector's query port, put together: one HTTP(S) server ({@link HttpApiServer}: tokens,
 * errors, methods, TLS) answering, first match first,
 *
 * <ol>
 *   <li>{@code GET /health}, {@code /ready}, {@code /metrics}, no token ({@link Route#operations}):
 *       liveness {@code UP} while the streams instance starts, rebalances or runs and {@code DOWN}
 *       (503) once it stopped or failed, when only a restart helps; readiness {@code READY} while it
 *       runs (its stores answer); both name the streams state. Metrics: see {@link ProjectorMetrics};</li>
 *   <li>the dashboard: its page, {@code /whoami}, {@code /fleet/summary}, the history and the
 *       operators' actions ({@link DashboardRoutes});</li>
 *   <li>the state API: {@code GET /reinstalls/{serverId}}, {@code GET /reinstalls} ({@link StateRoutes}).</li>
 * </ol>
 * Both the dashboard and the state API reach the other instances through one {@link InstanceRouter}.
 */
public final class StateQueryServer implements AutoCloseable {

    private final HttpApiServer server;
    private final InstanceRouter router;
    private final StateRoutes states;
    private final DashboardRoutes dashboard;
    private volatile KafkaStreams streams;
    private volatile Supplier<String> metricsScrape = () -> "";

    /**
     * Binds the port at once (port 0 picks a free one), so Kafka Streams can advertise it.
     *
     * @param quarantineAfter consecutive failures after which a server is quarantined (shown with states and counted)
     * @throws IllegalStateException when no token is configured and authentication is not explicitly disabled
     */
    public StateQueryServer(String host, int port, QueryApiSettings settings, int quarantineAfter) throws IOException {
        SSLContext peers = settings.tlsEnabled() ? QueryTls.clientContext(settings.tls()) : null;
        this.server = new HttpApiServer(host, port, settings);
        this.router = new InstanceRouter(new HostInfo(host, server.port()), peers);
        this.states = new StateRoutes(router, quarantineAfter);
        this.dashboard = new DashboardRoutes(router, quarantineAfter);
    }

    /** Starts answering from this streams instance. */
    public void serve(KafkaStreams streams) {
        this.streams = streams;
        router.serve(streams);
        List<Route> routes = new ArrayList<>(Route.operations(() -> metricsScrape.get(), this::liveness, this::readiness));
        routes.addAll(dashboard.routes());
        routes.addAll(states.routes());
        server.start(routes);
    }

    /** Enables the operators' cancel and release (write tokens); closed with this server. */
    public void operatorActions(OperatorActions actions) {
        dashboard.operatorActions(actions);
    }

    /** Serves {@code GET /metrics} from {@code scrape}: the Prometheus text format, no token needed. */
    public void metrics(Supplier<String> scrape) {
        this.metricsScrape = scrape;
    }

    public int port() {
        return server.port();
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return server.scheme();
    }

    /** Up while Streams starts, rebalances (restoring) or runs; down once it stopped or failed for good. */
    private Probe liveness() {
        KafkaStreams.State state = streams.state();
        return new Probe(state == KafkaStreams.State.CREATED || state.isRunningOrRebalancing(), Map.of("streams", state.name()));
    }

    /** Ready only while running: then its stores answer queries. */
    private Probe readiness() {
        KafkaStreams.State state = streams.state();
        return new Probe(state == KafkaStreams.State.RUNNING, Map.of("streams", state.name()));
    }

    @Override
    public void close() {
        server.close();
        router.close();
        dashboard.close();
    }
}

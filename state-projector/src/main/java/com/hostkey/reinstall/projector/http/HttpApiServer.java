package com.hostkey.reinstall.projector.http;

import com.hostkey.reinstall.projector.http.HttpRouter.Dispatch;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query port: the JDK's HTTP(S) server with a virtual thread per request, answering the
 * {@link Route}s it is started with through one {@link HttpRouter} and one {@link Authenticator},
 * every answer written by {@link Replies}.
 *
 * <p>HTTPS only when TLS is configured ({@link QueryApiSettings#tls()}). At most
 * {@value #MAX_CONCURRENT_REQUESTS} requests are served at once: past that a request gets 503
 * with {@code Retry-After} rather than queueing without bound. A {@link BadRequest} is a 400 with
 * its message; any other failure a 500 that says only "internal error" (the log says more).
 */
public final class HttpApiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpApiServer.class);
    private static final int MAX_CONCURRENT_REQUESTS = 64;

    private final HttpServer server;
    private final String scheme;
    private final Authenticator authenticator;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(MAX_CONCURRENT_REQUESTS);
    private volatile HttpRouter router;

    /**
     * Binds the port at once (port 0 picks a free one), so Kafka Streams can advertise it; answers nothing until {@link #start}.
     *
     * @throws IllegalStateException when no token is configured and authentication is not explicitly disabled
     */
    public HttpApiServer(String host, int port, QueryApiSettings settings) throws IOException {
        this.authenticator = new Authenticator(settings);
        if (settings.tlsEnabled()) {
            HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(QueryTls.serverContext(settings.tls())));
            this.server = https;
            this.scheme = "https";
        } else {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
            this.scheme = "http";
        }
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        if (settings.authDisabled()) {
            log.warn("*******************************************************************************************");
            log.warn("* QUERY API AUTHENTICATION IS DISABLED (PROJECTOR_API_AUTH=disabled): anyone who reaches *");
            log.warn("* {}://{}:{} reads every server's reinstall state. For development only.", scheme, host, port());
            log.warn("*******************************************************************************************");
        }
    }

    /** Starts answering {@code routes}, the first whose pattern matches a path answering it. */
    public void start(List<Route> routes) {
        this.router = new HttpRouter(routes, authenticator);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return scheme;
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            if (!inFlight.tryAcquire()) {
                Replies.write(exchange, new Reply.Unavailable("too many requests in flight, retry shortly"));
                return;
            }
            try {
                Replies.write(exchange, answer(exchange));
            } finally {
                inFlight.release();
            }
        } catch (IOException e) {
            log.debug("query connection failed: {}", e.toString());
        }
    }

    private Reply answer(HttpExchange exchange) throws IOException {
        try {
            Dispatch dispatch = router.dispatch(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders().get("Authorization"));
            return switch (dispatch) {
                case Dispatch.Answer answer -> answer.reply();
                case Dispatch.Call call -> call.route().handler().answer(new Request(exchange, call.path(), call.caller()));
            };
        } catch (BadRequest e) {
            return new Reply.Error(400, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("query failed: {}", e.toString());
            return new Reply.Error(500, "internal error");
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}

package com.hostkey.reinstall.containers;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Plain HTTP GETs on 127.0.0.1, as a Kubernetes probe makes them (no redirects, no token), and a
 * Testcontainers wait strategy built on them: the container is up once {@code path} answers 200.
 */
final class HttpAnswers extends AbstractWaitStrategy {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private final int port;
    private final String path;

    private HttpAnswers(int port, String path) {
        this.port = port;
        this.path = path;
    }

    /** Waits until {@code GET http://127.0.0.1:port/path} answers 200 (failing at once if the container exits). */
    static HttpAnswers okFrom(int port, String path) {
        return new HttpAnswers(port, path);
    }

    /** One GET: the status and body, or empty when nothing answers. */
    static Optional<HttpResponse<String>> get(int port, String path, String bearerToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5));
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        try {
            return Optional.of(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException notListening) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status of a probe's GET, 0 when nothing answers. */
    static int status(int port, String path) {
        return get(port, path, null).map(HttpResponse::statusCode).orElse(0);
    }

    @Override
    protected void waitUntilReady() {
        await("GET 127.0.0.1:" + port + path + " answers 200").atMost(startupTimeout).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!waitStrategyTarget.isRunning()) {
                        throw new ContainerLaunchException("the container exited before GET " + path + " answered 200; its log:\n"
                                + waitStrategyTarget.getLogs());
                    }
                    return status(port, path) == 200;
                });
    }
}

package com.hostkey.reinstall.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.runtime.OperationsHttpServer.Answer;
import com.hostkey.reinstall.runtime.OperationsHttpServer.Probe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperationsHttpServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldAnswerOnlyReadsOfItsThreeEndpoints() throws Exception {
        try (OperationsHttpServer server = OperationsHttpServer.start(0, () -> "up_metric 1\n", () -> true, () -> false)) {
            HttpResponse<String> metrics = send(server, "GET", "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).isEqualTo("up_metric 1\n");
            assertThat(metrics.headers().firstValue("Content-Type")).hasValue(OperationsHttpServer.PROMETHEUS_CONTENT_TYPE);
            assertThat(send(server, "GET", "/health").body()).isEqualTo("{\"status\":\"UP\"}");
            assertThat(send(server, "GET", "/ready").statusCode()).isEqualTo(503);
            assertThat(send(server, "HEAD", "/health").statusCode()).isEqualTo(200);
            HttpResponse<String> post = send(server, "POST", "/metrics");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(send(server, "GET", "/reinstalls").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shouldServeAServicesReadOnlyDocumentsBesideTheEndpoints() throws Exception {
        Map<String, java.util.function.Supplier<Answer>> documents =
                Map.of("/.well-known/thing.json", () -> new Answer(200, "application/thing+json", "{\"thing\":1}"));
        try (OperationsHttpServer server = OperationsHttpServer.start(0, () -> "", () -> true, () -> true, documents)) {
            HttpResponse<String> thing = send(server, "GET", "/.well-known/thing.json");
            assertThat(thing.statusCode()).isEqualTo(200);
            assertThat(thing.body()).isEqualTo("{\"thing\":1}");
            assertThat(thing.headers().firstValue("Content-Type")).hasValue("application/thing+json");
            assertThat(send(server, "POST", "/.well-known/thing.json").statusCode()).isEqualTo(405);
            assertThat(send(server, "GET", "/.well-known/other.json").statusCode()).isEqualTo(404);
            assertThat(send(server, "GET", "/health").statusCode()).isEqualTo(200);
        }
        assertThatThrownBy(() -> OperationsHttpServer.start(0, () -> "", () -> true, () -> true,
                Map.of("/metrics", () -> new Answer(200, "text/plain", "shadowed"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/metrics");
    }

    @Test
    void shouldShowAProbesDetailsBesideItsStatusForAServerWithAnApiOfItsOwn() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("streams", "REBALANCING");
        details.put("note", "say \"hi\"\n");

        Answer live = OperationsHttpServer.answer("/health", () -> "", () -> new Probe(true, details), () -> Probe.of(false));
        Answer ready = OperationsHttpServer.answer("/ready", () -> "", () -> Probe.of(true), () -> new Probe(false, details));

        assertThat(live).isEqualTo(new Answer(200, "application/json; charset=utf-8",
                "{\"status\":\"UP\",\"streams\":\"REBALANCING\",\"note\":\"say \\\"hi\\\"\\u000a\"}"));
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body()).startsWith("{\"status\":\"NOT_READY\",\"streams\":\"REBALANCING\"");
        assertThatThrownBy(() -> OperationsHttpServer.answer("/reinstalls", () -> "", () -> Probe.of(true), () -> Probe.of(true)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private HttpResponse<String> send(OperationsHttpServer server, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}

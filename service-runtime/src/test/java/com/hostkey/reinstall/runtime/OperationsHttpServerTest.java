package com.hostkey.reinstall.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    private HttpResponse<String> send(OperationsHttpServer server, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}

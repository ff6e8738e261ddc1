package com.hostkey.reinstall.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceLifecycleTest {

    @Test
    void shouldBindEveryInterfaceUnlessAHostIsSet() {
        InetSocketAddress unset = ServiceLifecycle.operationsAddress(new EnvSettings(Map.of()), "HANDLER_HTTP_HOST", "HANDLER_HTTP_PORT", 8081);
        assertThat(unset.getAddress().isAnyLocalAddress()).isTrue();
        assertThat(unset.getPort()).isEqualTo(8081);

        InetSocketAddress loopback = ServiceLifecycle.operationsAddress(
                new EnvSettings(Map.of("HANDLER_HTTP_HOST", " 127.0.0.1 ", "HANDLER_HTTP_PORT", "0")), "HANDLER_HTTP_HOST", "HANDLER_HTTP_PORT", 8081);
        assertThat(loopback.getAddress().isLoopbackAddress()).isTrue();
        assertThat(loopback.getPort()).isZero();
    }

    @Test
    void shouldLetAnythingButWrongSettingsPropagateFromAServicesMain() {
        assertThatThrownBy(() -> ServiceLifecycle.main("test-service", () -> {
            throw new IllegalStateException("a bug, not a setting");
        })).isInstanceOf(IllegalStateException.class).hasMessage("a bug, not a setting");
    }

    @Test
    void shouldServeTheEndpointsOnTheOneInterfaceItWasGiven() throws Exception {
        InetSocketAddress address = ServiceLifecycle.operationsAddress(
                new EnvSettings(Map.of("POLLER_HTTP_HOST", "127.0.0.1", "POLLER_HTTP_PORT", "0")), "POLLER_HTTP_HOST", "POLLER_HTTP_PORT", 8082);
        OperationsHttpServer server = ServiceLifecycle.serveOperations("stage-poller", "POLLER_HTTP_PORT", address,
                () -> "", () -> true, () -> true, Map.of()).orElseThrow();
        try (server) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }
}

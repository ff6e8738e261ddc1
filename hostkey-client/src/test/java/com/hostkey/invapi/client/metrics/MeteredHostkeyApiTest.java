package com.hostkey.invapi.client.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeteredHostkeyApiTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FakeApi fake = new FakeApi();
    private final MeteredHostkeyApi api = new MeteredHostkeyApi(fake, registry);

    @Test
    void shouldCountEachCallByActionAndOutcome() {
        api.reboot("default", 25250);
        api.reboot("default", 25251);
        fake.failure = new HostkeyException.Ambiguous("eq/reboot", "read timeout", null);
        assertThatThrownBy(() -> api.reboot("default", 25252)).isSameAs(fake.failure);
        fake.failure = new HostkeyException.WrongPin("eq/create_pxe", "wrong PIN code");
        assertThatThrownBy(() -> api.createPxe("default", null)).isInstanceOf(HostkeyException.WrongPin.class);

        assertThat(count("eq/reboot", "ok")).isEqualTo(2);
        assertThat(count("eq/reboot", "ambiguous")).isEqualTo(1);
        assertThat(count("eq/create_pxe", "wrong_pin")).isEqualTo(1);
    }

    @Test
    void shouldExposeALatencyHistogramInThePrometheusFormatWithoutServerIds() {
        api.checkCallback("0123456789abcdef0123456789abcdef");
        fake.failure = new HostkeyException.Transient("eq_callback/check", "HTTP 503", null, null);
        assertThatThrownBy(() -> api.checkCallback("0123456789abcdef0123456789abcdef"));
        fake.failure = new HostkeyException.Rejected("os/list", "no OS for this server");
        assertThatThrownBy(() -> api.listOs("default", 25250));

        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("hostkey_calls_seconds_count{action=\"eq_callback/check\",outcome=\"ok\"} 1")
                .contains("hostkey_calls_seconds_count{action=\"eq_callback/check\",outcome=\"transient\"} 1")
                .contains("hostkey_calls_seconds_count{action=\"os/list\",outcome=\"rejected\"} 1")
                .contains("hostkey_calls_seconds_bucket{action=\"eq_callback/check\",outcome=\"ok\",le=")
                .contains("hostkey_calls_seconds_sum{action=\"os/list\"")
                .doesNotContain("25250")
                .doesNotContain("0123456789abcdef");
    }

    @Test
    void shouldTagOtherFailuresAsError() {
        fake.failure = new IllegalStateException("bug");
        assertThatThrownBy(() -> api.clearPxe("default", 1, "h"));
        assertThat(count("eq/clear_pxe", "error")).isEqualTo(1);
    }

    private long count(String action, String outcome) {
        return registry.get(MeteredHostkeyApi.CALLS).tags("action", action, "outcome", outcome).timer().count();
    }

    /** Answers every call at once, or throws {@link #failure} when set. */
    private static final class FakeApi implements HostkeyApi {
        RuntimeException failure;

        private <T> T answer(T value) {
            if (failure != null) {
                throw failure;
            }
            return value;
        }

        @Override
        public List<OsOffer> listOs(String account, long serverId) {
            return answer(List.of());
        }

        @Override
        public ServerFacts show(String account, long serverId) {
            return answer(null);
        }

        @Override
        public List<JenkinsTask> jenkinsTasks(String account) {
            return answer(List.of());
        }

        @Override
        public String createReinstallKey(String account, long serverId) {
            return answer("master");
        }

        @Override
        public AsyncAction createPxe(String account, CreatePxeRequest request) {
            return answer(new AsyncAction("create_pxe", "k1"));
        }

        @Override
        public AsyncAction bootDevice(String account, long serverId, BootMedia media) {
            return answer(new AsyncAction("boot_dev", "k2"));
        }

        @Override
        public AsyncAction reboot(String account, long serverId) {
            return answer(new AsyncAction("reboot", "k3"));
        }

        @Override
        public AsyncAction runJenkinsTask(String account, long serverId, String taskId) {
            return answer(new AsyncAction("run_task", "k4"));
        }

        @Override
        public AsyncAction clearPxe(String account, long serverId, String hostname) {
            return answer(new AsyncAction("clear_pxe", "k5"));
        }

        @Override
        public CallbackAnswer checkCallback(String key) {
            return answer(new CallbackAnswer(CallbackAnswer.Kind.NOT_READY, key, null, null, null, null));
        }

        @Override
        public void close() {
        }
    }
}

package com.hostkey.reinstall.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JenkinsTaskCatalogTest {

    private final List<String> reads = new ArrayList<>();
    private volatile List<JenkinsTask> listed = List.of(task("monitoring-agent"));
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-05T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };
    private final HostkeyApi hostkey = (HostkeyApi) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HostkeyApi.class},
            (proxy, method, args) -> {
                if (method.getName().equals("jenkinsTasks")) {
                    reads.add((String) args[0]);
                    return listed;
                }
                throw new UnsupportedOperationException(method.getName());
            });
    private final JenkinsTaskCatalog catalog = new JenkinsTaskCatalog(hostkey, Duration.ofSeconds(60), clock);

    @Test
    void shouldShareAnAccountsListingWithinItsTtlAndPerAccount() {
        assertThat(catalog.tasks("default", List.of("monitoring-agent"))).extracting(JenkinsTask::id).containsExactly("monitoring-agent");
        now.set(now.get().plusSeconds(59));
        catalog.tasks("default", List.of("monitoring-agent"));
        assertThat(reads).as("one read for two validations within a minute").containsExactly("default");

        catalog.tasks("other", List.of("monitoring-agent"));
        now.set(now.get().plusSeconds(2));
        catalog.tasks("default", List.of("monitoring-agent"));
        assertThat(reads).as("each account its own; past the ttl, read again").containsExactly("default", "other", "default");
    }

    @Test
    void shouldReadAgainAtOnceWhenTheListingLacksANamedTask() {
        catalog.tasks("default", List.of("monitoring-agent"));
        listed = List.of(task("monitoring-agent"), task("gpu-drivers"));

        assertThat(catalog.tasks("default", List.of("gpu-drivers"))).extracting(JenkinsTask::id).contains("gpu-drivers");
        assertThat(reads).as("a task added in Hostkey is seen without waiting for the ttl").hasSize(2);
    }

    @Test
    void shouldReadForEveryValidationWithATtlOfZero() {
        JenkinsTaskCatalog unshared = new JenkinsTaskCatalog(hostkey, Duration.ZERO, clock);
        unshared.tasks("default", List.of("monitoring-agent"));
        unshared.tasks("default", List.of("monitoring-agent"));
        assertThat(reads).hasSize(2);
    }

    private static JenkinsTask task(String id) {
        return new JenkinsTask(id, id, List.of());
    }
}

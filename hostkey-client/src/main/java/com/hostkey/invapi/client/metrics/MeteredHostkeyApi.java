package com.hostkey.invapi.client.metrics;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link HostkeyApi} that times every call of the one it wraps, as the timer
 * {@value #CALLS} (Prometheus: {@code hostkey_calls_seconds_bucket/_count/_sum/_max}) tagged
 *
 * <ul>
 *   <li>{@code action}: the invapi call, {@code module/action} ({@code eq/reboot}, {@code eq_callback/check}, ...);</li>
 *   <li>{@code outcome}: {@code ok}, or the {@link HostkeyException} class that ended it: {@code rejected},
 *       {@code auth}, {@code wrong_pin}, {@code transient}, {@code ambiguous}; {@code error} for anything else.</li>
 * </ul>
 * The time is the caller's: it includes the client's own retries, backoff and rate-limit waits.
 * Tags never carry a server id, key or account secret, so the series stay few. The answers and
 * exceptions pass through unchanged.
 */
public final class MeteredHostkeyApi implements HostkeyApi {

    /** The timer's name; Prometheus shows it as {@code hostkey_calls_seconds}. */
    public static final String CALLS = "hostkey.calls";

    private final HostkeyApi delegate;
    private final MeterRegistry registry;

    public MeteredHostkeyApi(HostkeyApi delegate, MeterRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The outcome tag of a call that threw {@code failure}. */
    public static String outcomeOf(Throwable failure) {
        return switch (failure) {
            case HostkeyException.Rejected r -> "rejected";
            case HostkeyException.AuthFailed a -> "auth";
            case HostkeyException.WrongPin w -> "wrong_pin";
            case HostkeyException.Transient t -> "transient";
            case HostkeyException.Ambiguous a -> "ambiguous";
            default -> "error";
        };
    }

    private <T> T timed(String action, Supplier<T> call) {
        long start = System.nanoTime();
        String outcome = "ok";
        try {
            return call.get();
        } catch (RuntimeException e) {
            outcome = outcomeOf(e);
            throw e;
        } finally {
            timer(action, outcome).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private Timer timer(String action, String outcome) {
        return Timer.builder(CALLS)
                .description("Hostkey invapi calls by action and outcome, as long as the caller waited (retries included)")
                .tags("action", action, "outcome", outcome)
                .publishPercentileHistogram()
                // Reads answer in milliseconds, actions may take their whole 60 s budget.
                .minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry);
    }

    @Override
    public void shareBudget(double fraction) {
        delegate.shareBudget(fraction);
    }

    @Override
    public List<OsOffer> listOs(String account, long serverId) {
        return timed("os/list", () -> delegate.listOs(account, serverId));
    }

    @Override
    public ServerFacts show(String account, long serverId) {
        return timed("eq/show", () -> delegate.show(account, serverId));
    }

    @Override
    public List<JenkinsTask> jenkinsTasks(String account) {
        return timed("jenkins/get_tasks", () -> delegate.jenkinsTasks(account));
    }

    @Override
    public String createReinstallKey(String account, long serverId) {
        return timed("eq/reinstall", () -> delegate.createReinstallKey(account, serverId));
    }

    @Override
    public AsyncAction createPxe(String account, CreatePxeRequest request) {
        return timed("eq/create_pxe", () -> delegate.createPxe(account, request));
    }

    @Override
    public AsyncAction bootDevice(String account, long serverId, BootMedia media) {
        return timed("eq/boot_dev", () -> delegate.bootDevice(account, serverId, media));
    }

    @Override
    public AsyncAction reboot(String account, long serverId) {
        return timed("eq/reboot", () -> delegate.reboot(account, serverId));
    }

    @Override
    public AsyncAction runJenkinsTask(String account, long serverId, String taskId) {
        return timed("jenkins/run_task", () -> delegate.runJenkinsTask(account, serverId, taskId));
    }

    @Override
    public AsyncAction clearPxe(String account, long serverId, String hostname) {
        return timed("eq/clear_pxe", () -> delegate.clearPxe(account, serverId, hostname));
    }

    @Override
    public AsyncAction status(String account, long serverId) {
        return timed("eq/status", () -> delegate.status(account, serverId));
    }

    @Override
    public CallbackAnswer checkCallback(String key) {
        return timed("eq_callback/check", () -> delegate.checkCallback(key));
    }

    @Override
    public void close() {
        delegate.close();
    }
}

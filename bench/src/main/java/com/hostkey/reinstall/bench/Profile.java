package com.hostkey.reinstall.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A size profile: how many runs each figure makes and the sizes it runs with. {@code quick} checks
 * the harness end to end in a few minutes with small sizes; {@code full} is the size the issue
 * names. Any size can be overridden from the command line ({@code --set fig2.servers=500}).
 *
 * @param name  {@code quick}, {@code full}
 * @param runs  measured runs per figure (median and spread are over these)
 * @param sizes every size by key ({@code fig<N>.<what>}); see docs/benchmarks.md for the keys
 */
public record Profile(String name, int runs, Map<String, String> sizes) {

    public Profile {
        sizes = Map.copyOf(sizes);
    }

    public static Profile named(String name) {
        return switch (name) {
            case "quick" -> quick();
            case "full" -> full();
            default -> throw new IllegalArgumentException("unknown profile " + name + ": quick or full");
        };
    }

    /** Small sizes: 3 short runs per figure, the whole harness in a few minutes. */
    public static Profile quick() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("fig1.inFlight", "100");
        s.put("fig1.windowSeconds", "20");
        s.put("fig1.timeScale", "30");
        s.put("fig1.pollIntervalMs", "1000");
        s.put("fig1.limitSamples", "200");
        s.put("fig2.servers", "300");
        s.put("fig2.maxActive", "500");
        s.put("fig2.maxActivePerLocation", "200");
        s.put("fig3.reinstalls", "300");
        s.put("fig4.keys", "2000");
        s.put("fig4.intervalMs", "3000");
        s.put("fig4.sampleInstalls", "60");
        s.put("fig5.servers", "3000");
        s.put("fig6.inFlight", "500");
        s.put("fig7.servers", "60");
        s.put("fig7.parallelism", "20");
        // 15 s of simulated time between two checks, as Hostkey's own tooling polls; installs of 12
        // simulated minutes take 36 s here (quick) and 72 s (full). A faster clock is unfair: at
        // time scale 60 (250 ms) twenty scripts cannot fork curl and jq that often on two cores, poll
        // less often than the interval and so make fewer calls than they would for real.
        s.put("fig7.timeScale", "20");
        s.put("fig7.pollIntervalMs", "750");
        return new Profile("quick", 3, s);
    }

    /** The sizes of issue 8: 5 runs per figure. */
    public static Profile full() {
        Map<String, String> s = new LinkedHashMap<>(quick().sizes());
        s.put("fig1.windowSeconds", "60");
        s.put("fig1.limitSamples", "1000");
        s.put("fig2.servers", "10000");
        s.put("fig3.reinstalls", "2000");
        s.put("fig4.keys", "100000");
        s.put("fig4.intervalMs", "15000");
        s.put("fig4.sampleInstalls", "300");
        s.put("fig5.servers", "100000");
        s.put("fig6.inFlight", "10000");
        s.put("fig7.servers", "1000");
        s.put("fig7.parallelism", "100");
        s.put("fig7.timeScale", "10");
        s.put("fig7.pollIntervalMs", "1500");
        return new Profile("full", 5, s);
    }

    /** The same profile with some sizes replaced and, when {@code runs > 0}, another number of runs. */
    public Profile with(Map<String, String> overrides, int runs) {
        Map<String, String> merged = new LinkedHashMap<>(sizes);
        overrides.forEach((key, value) -> {
            if (!merged.containsKey(key)) {
                throw new IllegalArgumentException("unknown size " + key + "; known: " + new TreeMap<>(sizes).keySet());
            }
            merged.put(key, value);
        });
        return new Profile(name, runs > 0 ? runs : this.runs, merged);
    }

    public int integer(String key) {
        return Integer.parseInt(value(key));
    }

    public double decimal(String key) {
        return Double.parseDouble(value(key));
    }

    public Duration millis(String key) {
        return Duration.ofMillis(Long.parseLong(value(key)));
    }

    private String value(String key) {
        String value = sizes.get(key);
        if (value == null) {
            throw new IllegalArgumentException("profile " + name + " has no size " + key);
        }
        return value;
    }
}

package com.hostkey.reinstall.bench;

import java.util.List;

/**
 * One metric over every run of a figure.
 *
 * @param spec   what it is and its target
 * @param values one value per run (NaN where a run did not measure it)
 * @param met    whether the median satisfies the target; null without a target
 */
public record MetricResult(MetricSpec spec, List<Double> values, Boolean met) {

    public MetricResult {
        values = List.copyOf(values);
    }

    public static MetricResult of(MetricSpec spec, List<Double> values) {
        Stats stats = Stats.of(values);
        Boolean met = spec.target() == null ? null : spec.target().metBy(stats.median());
        return new MetricResult(spec, values, met);
    }

    public double median() {
        return Stats.of(values).median();
    }

    public double min() {
        return Stats.of(values).min();
    }

    public double max() {
        return Stats.of(values).max();
    }
}

package com.hostkey.reinstall.bench;

/**
 * A metric a figure reports.
 *
 * @param name        key in a {@link Measurement}, e.g. {@code hop.p50}
 * @param unit        {@code ms}, {@code /s}, {@code MB}, {@code ratio}, ...
 * @param description what it is, in a few words
 * @param target      what the median must satisfy, or null for a metric shown for context
 */
public record MetricSpec(String name, String unit, String description, Target target) {

    public static MetricSpec info(String name, String unit, String description) {
        return new MetricSpec(name, unit, description, null);
    }

    public static MetricSpec atMost(String name, String unit, String description, double limit) {
        return new MetricSpec(name, unit, description, new Target(Target.Comparison.AT_MOST, limit));
    }

    public static MetricSpec atLeast(String name, String unit, String description, double limit) {
        return new MetricSpec(name, unit, description, new Target(Target.Comparison.AT_LEAST, limit));
    }

    /** A target on the median of the runs. */
    public record Target(Comparison comparison, double value) {

        public enum Comparison {
            AT_MOST("<="), AT_LEAST(">=");

            final String symbol;

            Comparison(String symbol) {
                this.symbol = symbol;
            }
        }

        public boolean metBy(double measured) {
            if (Double.isNaN(measured)) {
                return false;
            }
            return comparison == Comparison.AT_MOST ? measured <= value : measured >= value;
        }

        public String symbol() {
            return comparison.symbol;
        }
    }
}

package com.hostkey.reinstall.cli.progress;

import java.time.Duration;
import java.util.Locale;

/** Short human durations: {@code 4.4s}, {@code 12m03s}, {@code 1h02m}. */
public final class Durations {

    private Durations() {}

    public static String format(Duration duration) {
        if (duration == null) {
            return "";
        }
        long millis = Math.max(0, duration.toMillis());
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long seconds = millis / 1000;
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
    }

    /** {@code +4.4s}, right-aligned in {@code width} characters. */
    public static String offset(Duration duration, int width) {
        String text = "+" + format(duration);
        return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
    }
}

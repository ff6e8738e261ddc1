package com.hostkey.reinstall.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as people write them: {@code 90} (seconds), {@code 90s}, {@code 15m}, {@code 2h}, {@code 1h30m}, {@code 500ms}, {@code PT2H}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern PARTS = Pattern.compile("(\\d+)(ms|h|m|s)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        if (text.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(text));
        }
        if (text.startsWith("pt") || text.startsWith("p")) {
            try {
                return positive(Duration.parse(text.toUpperCase(Locale.ROOT)), value);
            } catch (DateTimeParseException e) {
                throw invalid(value);
            }
        }
        Matcher matcher = PARTS.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (matcher.find()) {
            if (matcher.start() != end) {
                throw invalid(value);
            }
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(switch (matcher.group(2)) {
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "s" -> Duration.ofSeconds(amount);
                default -> Duration.ofMillis(amount);
            });
            end = matcher.end();
        }
        if (end == 0 || end != text.length()) {
            throw invalid(value);
        }
        return positive(total, value);
    }

    private static Duration positive(Duration duration, String value) {
        if (duration.isNegative() || duration.isZero()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a positive duration");
        }
        return duration;
    }

    private static CommandLine.TypeConversionException invalid(String value) {
        return new CommandLine.TypeConversionException("'" + value + "' is not a duration; write e.g. 90s, 15m, 2h or 1h30m");
    }
}

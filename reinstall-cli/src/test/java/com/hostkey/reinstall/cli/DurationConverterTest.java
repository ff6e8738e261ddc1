package com.hostkey.reinstall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {

    @Test
    void shouldReadTheWaysPeopleWriteDurations() {
        assertThat(DurationConverter.parse("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(DurationConverter.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("PT2H")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void shouldRefuseWhatIsNotAPositiveDuration() {
        assertThatThrownBy(() -> DurationConverter.parse("soon")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("90s, 15m, 2h");
        assertThatThrownBy(() -> DurationConverter.parse("0s")).isInstanceOf(CommandLine.TypeConversionException.class);
        assertThatThrownBy(() -> DurationConverter.parse("5m junk")).isInstanceOf(CommandLine.TypeConversionException.class);
    }
}

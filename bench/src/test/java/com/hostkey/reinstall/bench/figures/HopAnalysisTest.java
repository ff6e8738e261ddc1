package com.hostkey.reinstall.bench.figures;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.bench.infra.RecordingProxy.Exchange;
import java.util.List;
import org.junit.jupiter.api.Test;

class HopAnalysisTest {

    private static final long MS = 1_000_000;

    @Test
    void shouldMeasureFromTheAnswerThatEndsAStepToTheNextStepsCall() {
        List<Exchange> exchanges = List.of(
                // Validation reads, then the reinstall key 20 ms after the last read answered.
                new Exchange(0, 2 * MS, "eq", "show", 7L, null, "OK", null, null),
                new Exchange(3 * MS, 5 * MS, "os", "list", 7L, null, "OK", null, null),
                new Exchange(25 * MS, 27 * MS, "eq", "reinstall", 7L, null, "OK", null, "master"),
                // create_pxe 40 ms after the key; its callback is checked: not ready, then OK.
                new Exchange(67 * MS, 70 * MS, "eq", "create_pxe", 7L, null, "OK", null, "cb1"),
                new Exchange(71 * MS, 72 * MS, "eq_callback", "check", null, "cb1", "Not ready", null, null),
                new Exchange(90 * MS, 91 * MS, "eq_callback", "check", null, "cb1", "OK", 7L, null),
                // The master key reports a stage meanwhile: it ends nothing.
                new Exchange(95 * MS, 96 * MS, "eq_callback", "check", null, "master", "Stage", null, null),
                // boot_dev 30 ms after the callback's OK (not after the stage answer).
                new Exchange(121 * MS, 122 * MS, "eq", "boot_dev", 7L, null, "OK", null, "cb2"));

        List<HopAnalysis.Hop> hops = HopAnalysis.hops(exchanges);

        assertThat(hops).extracting(HopAnalysis.Hop::call).containsExactly("eq/reinstall", "eq/create_pxe", "eq/boot_dev");
        assertThat(hops).extracting(HopAnalysis.Hop::millis).containsExactly(20.0, 40.0, 30.0);
    }

    @Test
    void shouldCompareTheFirstHopWithTheMedianOfTheOtherCallsHops() {
        List<HopAnalysis.Hop> hops = List.of(
                new HopAnalysis.Hop(1, "eq/reinstall", 0, 30), new HopAnalysis.Hop(2, "eq/reinstall", 0, 36),
                new HopAnalysis.Hop(3, "eq/reinstall", 0, 33),
                // The others' p50: 10, 20 (of 20, 20, 90) and 40: their median is 20, whatever the tail of one call.
                new HopAnalysis.Hop(1, "eq/create_pxe", 0, 10),
                new HopAnalysis.Hop(1, "eq/boot_dev", 0, 20), new HopAnalysis.Hop(2, "eq/boot_dev", 0, 20),
                new HopAnalysis.Hop(3, "eq/boot_dev", 0, 90),
                new HopAnalysis.Hop(1, "eq/clear_pxe", 0, 40));

        assertThat(HopAnalysis.firstHopRatio(hops)).isEqualTo(33.0 / 20.0);
        assertThat(HopAnalysis.firstHopRatio(hops.subList(3, hops.size()))).isNaN();
    }
}

package com.hostkey.reinstall.bench.figures;

import com.hostkey.reinstall.bench.Stats;
import com.hostkey.reinstall.bench.infra.RecordingProxy.Exchange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Finds the saga's hops in what Hostkey saw: for each step's call (eq/reinstall, create_pxe,
 * boot_dev, reboot, jenkins/run_task, clear_pxe) of a server, the time since the last answer that
 * concluded that server's previous step was sent: a synchronous call's answer, or an eq_callback
 * answer that ends a wait ({@code OK} or {@code Error}; "Not ready" and "Stage 1-4" end nothing).
 * Callback checks carry only the key; the key's server is learnt from the answer that issued it.
 */
public final class HopAnalysis {

    static final Set<String> STEP_CALLS = Set.of("eq/reinstall", "eq/create_pxe", "eq/boot_dev", "eq/reboot",
            "jenkins/run_task", "eq/clear_pxe");

    /**
     * One hop.
     *
     * @param serverId     the server
     * @param call         the step call that ended the hop
     * @param requestNanos when that call arrived
     * @param millis       time since the concluding answer of the previous step was sent
     */
    public record Hop(long serverId, String call, long requestNanos, double millis) {}

    private HopAnalysis() {}

    public static List<Hop> hops(List<Exchange> exchanges) {
        Map<String, Long> serverOfKey = new HashMap<>();
        for (Exchange e : exchanges) {
            if (e.issuedKey() != null && e.serverId() != null) {
                serverOfKey.put(e.issuedKey(), e.serverId());
            }
        }
        record Point(long nanos, boolean concluding, Exchange exchange) {}
        Map<Long, List<Point>> timelines = new HashMap<>();
        for (Exchange e : exchanges) {
            boolean callback = e.module().equals("eq_callback");
            Long server = callback ? (e.contextId() != null ? e.contextId() : serverOfKey.get(e.key())) : e.serverId();
            if (server == null) {
                continue;
            }
            List<Point> timeline = timelines.computeIfAbsent(server, s -> new ArrayList<>());
            if (!callback && STEP_CALLS.contains(e.call())) {
                timeline.add(new Point(e.requestNanos(), false, e));
            }
            boolean concludes = callback ? "OK".equals(e.result()) || "Error".equals(e.result()) : e.result() != null;
            if (concludes) {
                timeline.add(new Point(e.responseNanos(), true, e));
            }
        }
        List<Hop> hops = new ArrayList<>();
        timelines.forEach((server, timeline) -> {
            timeline.sort(Comparator.comparingLong(Point::nanos).thenComparing(p -> !p.concluding()));
            Long lastConcluded = null;
            for (Point point : timeline) {
                if (point.concluding()) {
                    lastConcluded = point.nanos();
                } else if (lastConcluded != null) {
                    hops.add(new Hop(server, point.exchange().call(), point.nanos(), (point.nanos() - lastConcluded) / 1e6));
                }
            }
        });
        hops.sort(Comparator.comparingLong(Hop::requestNanos));
        return hops;
    }

    /** Each step call's hop times (ms), by call name in order. */
    public static Map<String, List<Double>> millisByCall(List<Hop> hops) {
        return hops.stream().collect(Collectors.groupingBy(Hop::call, TreeMap::new,
                Collectors.mapping(Hop::millis, Collectors.toList())));
    }

    /**
     * The first hop against the others (issue 19 item 3: "no slower than the median of the other
     * hops"): the p50 of the hops into {@code eq/reinstall} over the median of the other step calls'
     * hop p50. NaN when there is no hop into {@code eq/reinstall} or into any other call.
     */
    public static double firstHopRatio(List<Hop> hops) {
        Map<String, List<Double>> byCall = millisByCall(hops);
        List<Double> first = byCall.remove("eq/reinstall");
        if (first == null || byCall.isEmpty()) {
            return Double.NaN;
        }
        List<Double> othersP50 = byCall.values().stream().map(values -> Stats.of(values).percentile(50)).toList();
        return Stats.of(first).percentile(50) / Stats.of(othersP50).median();
    }
}

package com.hostkey.reinstall.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.ServerSpec;
import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReserveRecalled;
import com.hostkey.reinstall.testkit.ApicurioRegistry;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import com.hostkey.reinstall.testkit.ServiceProcess;
import com.hostkey.reinstall.testkit.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The admission caps stay exact under a flood of one location while processes are killed: every
 * server of the fleet is in {@value #LOCATION}, the projector's cap for it is small
 * ({@code flood.cap}, fleet-wide cap far above), and a reinstall for every server is published at
 * once. The services run as separate JVM processes, two instances each (ChaosIT's set-up,
 * {@link ProcessStack}), so the admission task (one task owns every slot) and the saga tasks move
 * or restart when a projector is SIGKILLed; the kills hit projectors every other time, alternating
 * a long outage (past the session timeout: the survivor takes the tasks over, and they move again
 * when the victim is back) with a short one (the static member is back in time and restores its
 * tasks itself).
 *
 * <p>The measure is the simulator's record of what Hostkey saw. A reinstall holds its slot from
 * its AdmissionGranted until the admission processes its release. Its first {@code eq/reinstall}
 * (the reinstall key: the first call after admission; the validation's eq/show, os/list and
 * jenkins/get_tasks come before it and do not count) arrives after the grant, and its last call of
 * any kind with the server's id (clear_pxe, boot_dev, a Jenkins launch; callback checks carry no
 * server id) arrives before the saga can end the reinstall and release the slot, since the saga
 * ends only on that call's answer or callback. So the interval [first eq/reinstall, last call]
 * lies inside the time the slot was held, and at no instant may more intervals overlap than the
 * cap allows. (It would not if a deadline ended a reinstall while one of its calls was still to
 * come; the saga deadlines here are far longer than the run.)
 *
 * <p>Size knobs (system properties): {@code flood.reinstalls} (default 40), {@code flood.cap}
 * (default 3), {@code flood.kills} (default 4), {@code flood.timeScale} (default 300: an install's
 * five stages take 2.4 s of real time), {@code flood.seed}.
 */
@Tag("chaos")
class AdmissionFloodIT {

    private static final String API_KEY = "flood-api-key-" + UUID.randomUUID();
    private static final String PIN = "1470";
    private static final String LOCATION = "NL";
    /**
     * A second location beside the flood, its requests trickled in (one every {@link #TRICKLE}) rather
     * than flooded: while its cap has room the admission lends slots to the saga tasks, which admit
     * from their reserve and ask for more, and once it is reached they are recalled (docs/saga.md,
     * "task reserves"), while processes are killed.
     */
    private static final String ROOMY = "US";
    private static final int ROOMY_SERVERS = 12;
    private static final int ROOMY_CAP = 5;
    private static final Duration TRICKLE = Duration.ofMillis(700);

    @Test
    void shouldNeverRunMoreReinstallsInALocationThanItsCapWhileProcessesAreKilled() throws Exception {
        int reinstalls = Integer.getInteger("flood.reinstalls", 40);
        int cap = Integer.getInteger("flood.cap", 3);
        int kills = Integer.getInteger("flood.kills", 4);
        double timeScale = Double.parseDouble(System.getProperty("flood.timeScale", "300"));
        long seed = Long.getLong("flood.seed", System.nanoTime());
        Random random = new Random(seed);
        Path work = Files.createTempDirectory("flood-");
        Path logs = Files.createDirectories(Path.of("target", "flood-logs", work.getFileName().toString()));
        // The generated fleet (bm, bm, vm, gpu: ProcessStack asks the GPU image for every fourth), all in
        // one location; its VMs as bare metal, since their one disk refuses the RAID0 every request asks
        // for: every reinstall is admitted.
        // The last ROOMY_SERVERS in the second location.
        List<ServerSpec> generated = ServerSpec.generatedFleet(reinstalls + ROOMY_SERVERS, List.of("default"));
        List<ServerSpec> fleet = new ArrayList<>();
        for (int i = 0; i < generated.size(); i++) {
            ServerSpec s = generated.get(i);
            String location = i < reinstalls ? LOCATION : ROOMY;
            fleet.add(s.type().equals("vm")
                    ? new ServerSpec(s.id(), "bm", location, 64, List.of(480, 480), s.hostname(), s.account(),
                            s.powerState(), s.bootDevice(), s.pxeConfigLeft())
                    : new ServerSpec(s.id(), s.type(), location, s.ramGb(), s.diskSizesGb(), s.hostname(), s.account(),
                            s.powerState(), s.bootDevice(), s.pxeConfigLeft(), s.cores()));
        }
        Map<Long, String> locationOf = fleet.stream().collect(Collectors.toMap(ServerSpec::id, ServerSpec::location));

        try (KafkaTestCluster kafka = KafkaTestCluster.start(3);
             ApicurioRegistry registry = ApicurioRegistry.start();
             HostkeySimulator simulator = HostkeySimulator.start(SimulatorConfig.builder()
                     .port(0)
                     .timeScale(timeScale)
                     .fleet(fleet)
                     .account("default", API_KEY, PIN)
                     .build())) {
            try (Admin admin = kafka.admin()) {
                TopicProvisioner.ensureTopics(admin, 6, (short) 3);
            }
            // Both ways of capping a location: the listed limit and the default for the unlisted.
            Map<String, String> caps = Map.of(
                    "ADMISSION_MAX_ACTIVE", "10000",
                    "ADMISSION_MAX_ACTIVE_PER_LOCATION", String.valueOf(cap),
                    "ADMISSION_LOCATION_LIMITS", LOCATION + "=" + cap + "," + ROOMY + "=" + ROOMY_CAP);
            try (ProcessStack stack = ProcessStack.start("flood", 2, kafka, registry, simulator, API_KEY, PIN, caps, work, logs)) {
                Instant floodStart = Instant.now();
                Map<Long, String> requests = new java.util.LinkedHashMap<>(stack.publishReinstalls(
                        fleet.stream().filter(s -> s.location().equals(LOCATION)).map(ServerSpec::id).toList()));
                for (ServerSpec roomy : fleet.stream().filter(s -> s.location().equals(ROOMY)).toList()) {
                    requests.putAll(stack.publishReinstalls(List.of(roomy.id())));
                    Thread.sleep(TRICKLE.toMillis());
                }

                List<String> killed = kill(stack.services, kills, random);

                await("a completion for every request").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(2))
                        .until(() -> stack.completedRequests(requests) == requests.size());
                Duration flood = Duration.between(floodStart, Instant.now());
                stack.close();

                List<Interval> intervals = intervals(simulator.audit());
                Overlap worst = maxOverlap(intervals.stream().filter(i -> LOCATION.equals(locationOf.get(i.server()))).toList());
                Overlap roomy = maxOverlap(intervals.stream().filter(i -> ROOMY.equals(locationOf.get(i.server()))).toList());
                List<ReinstallCompletion> completions = TopicReader.readAll(kafka.bootstrapServers(), ReinstallTopics.COMPLETIONS,
                        stack.topics.completions.valueSerde().deserializer()).stream().map(ConsumerRecord::value).toList();
                Map<String, Long> perRequest = completions.stream()
                        .collect(Collectors.groupingBy(ReinstallCompletion::getRequestId, Collectors.counting()));
                long missingOrDuplicate = requests.values().stream().filter(id -> perRequest.getOrDefault(id, 0L) != 1).count();
                long completed = completions.stream()
                        .filter(c -> requests.containsValue(c.getRequestId()) && c.getOutcome() instanceof ReinstallCompleted)
                        .count();

                // How the slots moved: granted by the owner, taken from a task's reserve, recalled (docs/saga.md).
                Map<String, Long> admissions = TopicReader.readAll(kafka.bootstrapServers(), ReinstallTopics.EVENTS,
                                stack.topics.events.valueSerde().deserializer()).stream().map(r -> switch (r.value().getPayload()) {
                            case AdmissionGranted g when g.getFromReserve() -> "from a task's reserve";
                            case AdmissionGranted g -> "granted by the owner";
                            case ReserveRecalled r2 -> "reserve recalls";
                            default -> "";
                        }).filter(kind -> !kind.isEmpty()).collect(Collectors.groupingBy(kind -> kind, TreeMap::new, Collectors.counting()));

                System.out.printf("%nFLOOD: %d reinstalls, cap %d, max overlap %d, kills %s, %d admitted reinstalls measured,"
                                + " %d completed, flood took %d s, seed %d, admissions %s%n", reinstalls, cap, worst.count(), killed,
                        intervals.size(), completed, flood.toSeconds(), seed, admissions);
                System.out.println("FLOOD worst moment: " + worst.describe(simulator.clock().timeScale()));
                System.out.printf("FLOOD %s: %d reinstalls, cap %d, max overlap %d%n", ROOMY, ROOMY_SERVERS, ROOMY_CAP, roomy.count());
                completions.stream().collect(Collectors.groupingBy(c -> c.getOutcome().getClass().getSimpleName(), TreeMap::new,
                        Collectors.counting())).forEach((outcome, count) -> System.out.printf("FLOOD outcome %3d x %s%n", count, outcome));

                assertThat(worst.count()).as("reinstalls touching servers in %s at once, cap %d; at the worst moment: %s",
                        LOCATION, cap, worst.describe(simulator.clock().timeScale())).isLessThanOrEqualTo(cap);
                assertThat(worst.count()).as("the flood filled the cap at some moment (else this test could not fail)")
                        .isEqualTo(cap);
                assertThat(roomy.count()).as("reinstalls touching servers in %s at once, cap %d; at the worst moment: %s",
                        ROOMY, ROOMY_CAP, roomy.describe(simulator.clock().timeScale())).isLessThanOrEqualTo(ROOMY_CAP);
                assertThat(missingOrDuplicate).as("requests without exactly one completion").isZero();
                assertThat(completed).as("reinstalls completed successfully").isPositive();
            }
        }
    }

    /**
     * SIGKILLs {@code kills} instances and starts each again: every other kill a projector (the two in
     * turn, in random order), its outage alternately past the session timeout (10 s) and short; the
     * kills between hit a random handler or poller, briefly. Answers the victims' names.
     */
    private static List<String> kill(List<ServiceProcess> services, int kills, Random random) throws InterruptedException {
        List<ServiceProcess> projectors = new ArrayList<>(services.stream().filter(s -> s.name().startsWith("projector-")).toList());
        List<ServiceProcess> others = services.stream().filter(s -> !s.name().startsWith("projector-")).toList();
        Collections.shuffle(projectors, random);
        List<String> killed = new ArrayList<>();
        for (int k = 0; k < kills; k++) {
            Thread.sleep(2_000 + random.nextInt(3_000));
            boolean projector = k % 2 == 0;
            boolean longOutage = projector && k % 4 == 0;
            ServiceProcess victim = projector ? projectors.get(k / 2 % projectors.size()) : others.get(random.nextInt(others.size()));
            victim.kill();
            killed.add(victim.name() + (longOutage ? " (long)" : ""));
            Thread.sleep(longOutage ? 11_000 + random.nextInt(2_000) : 500 + random.nextInt(1_500));
            victim.start();
        }
        return killed;
    }

    /** The time one reinstall touched its server: its first eq/reinstall to its last call after that. */
    record Interval(long server, Instant start, Instant end) {}

    /**
     * One interval per server that had an eq/reinstall (one reinstall per server in this test), from
     * the simulator's record: the validation's calls before the first eq/reinstall are left out.
     */
    static List<Interval> intervals(List<AuditEntry> audit) {
        Map<Long, List<AuditEntry>> byServer = audit.stream().filter(a -> a.serverId() != null)
                .collect(Collectors.groupingBy(AuditEntry::serverId, TreeMap::new, Collectors.toList()));
        List<Interval> intervals = new ArrayList<>();
        byServer.forEach((server, calls) -> {
            Instant start = null;
            Instant end = null;
            for (AuditEntry call : calls) {
                if (start == null && call.call().equals("eq/reinstall")) {
                    start = call.at();
                }
                // The largest instant, not the last entry's: the record is in arrival order, and two
                // calls arriving together may take their instants in the other order.
                if (start != null && (end == null || call.at().isAfter(end))) {
                    end = call.at();
                }
            }
            if (start != null) {
                intervals.add(new Interval(server, start, end));
            }
        });
        return intervals;
    }

    /** The most intervals that overlap at one instant, and which ones they are at the first such instant. */
    record Overlap(int count, Instant at, List<Interval> intervals) {

        String describe(double timeScale) {
            if (intervals.isEmpty()) {
                return "no reinstall touched a server";
            }
            return count + " at " + at + " (simulated time): " + intervals.stream()
                    .map(i -> "server " + i.server() + " (first eq/reinstall " + realMillis(i.start(), at, timeScale)
                            + " ms before, last call " + realMillis(at, i.end(), timeScale) + " ms after)")
                    .collect(Collectors.joining(", ")) + " (real time)";
        }

        private static long realMillis(Instant from, Instant to, double timeScale) {
            return Math.round(Duration.between(from, to).toMillis() / timeScale);
        }
    }

    /**
     * A sweep over the intervals' ends in time order. The intervals are closed: both ends are
     * instants at which the reinstall held its slot, so an interval that starts at the very instant
     * another ends overlaps it there, and at equal instants starts are counted before ends. (On a
     * correct run the tie cannot even happen: the next reinstall's grant follows the release, which
     * follows the last call's answer. Counting the end first would hide a real double grant whose
     * calls happened to coincide.)
     */
    static Overlap maxOverlap(List<Interval> intervals) {
        record Event(Instant at, boolean start, Interval interval) {}
        List<Event> events = new ArrayList<>();
        for (Interval interval : intervals) {
            events.add(new Event(interval.start(), true, interval));
            events.add(new Event(interval.end(), false, interval));
        }
        events.sort(Comparator.comparing(Event::at).thenComparing(e -> !e.start()));
        List<Interval> open = new ArrayList<>();
        Overlap worst = new Overlap(0, null, List.of());
        for (Event event : events) {
            if (event.start()) {
                open.add(event.interval());
                if (open.size() > worst.count()) {
                    worst = new Overlap(open.size(), event.at(), List.copyOf(open));
                }
            } else {
                open.remove(event.interval());
            }
        }
        return worst;
    }
}

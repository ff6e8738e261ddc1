package com.hostkey.reinstall.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hostkey.invapi.client.JenkinsLaunch;
import com.hostkey.invapi.client.OsTagNames;
import com.hostkey.invapi.client.Refusal;
import com.hostkey.invapi.client.ShowFields;
import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.ErrorWording;
import com.hostkey.invapi.simulator.ServerSnapshot;
import com.hostkey.invapi.simulator.StageDelivery;
import com.hostkey.invapi.simulator.StageNumberIn;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyRefusal;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.system.ReinstallStack.InvapiVariant;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract matrix: the whole nine-step reinstall against the simulator speaking each variant
 * of what docs/hostkey-invapi.md only assumes of the real invapi, with the services set for it.
 * {@link ReinstallEndToEndIT} runs the default shape; every other setting of the simulator's wire
 * appears in at least one profile here, combined where they do not exclude each other. In every
 * profile, each refusal the wire gives comes out typed, and a reinstall of a server Hostkey does
 * not know is rejected SERVER_NOT_FOUND whatever Hostkey's words for it.
 */
class InvapiVariantsIT {

    private static final long SERVER = 1001;
    /** No server of the simulated fleet: its reinstall is refused as an unknown server, in every wording. */
    private static final long UNKNOWN_SERVER = 424_242;

    /**
     * Refusals worded as no default pattern knows them, with the client told of them. create_pxe's
     * first answer is an HTTP 500 (maybe applied), so the saga clears the PXE config before creating
     * it again, and Hostkey refuses that clear_pxe with its hostname-mismatch wording: the client
     * must type it HOSTNAME_MISMATCH for the reinstall to go on.
     */
    private static final InvapiVariant ALTERNATIVE_WORDINGS = new InvapiVariant(
            "refusals in other words (server not found, hostname mismatch, wrong PIN, locked), the client told of them",
            sim -> sim.errorWording(ErrorWording.ALTERNATIVE)
                    .faults(faults -> faults.on("eq", "create_pxe").serverError(1.0, 500).times(1)),
            client -> client.refusalPattern(Refusal.SERVER_NOT_FOUND, "no access to equipment")
                    .refusalPattern(Refusal.HOSTNAME_MISMATCH, "carries another hostname")
                    .refusalPattern(Refusal.WRONG_PIN, "confirmation code rejected")
                    .refusalPattern(Refusal.ACCOUNT_LOCKED, "access suspended"));

    /**
     * The names Hostkey documents for none of these: the Jenkins launch (module, action, server and
     * task fields) and create_pxe's licences field, all other than assumed on both sides. Its
     * reinstall is of the licensed Windows Server 2022 on the 12-core server, so that the licences
     * travel in the renamed field and reach the billing record.
     */
    private static final InvapiVariant OTHER_LAUNCH_AND_LICENCE_NAMES = new InvapiVariant(
            "the Jenkins launch as eq/run_playbook server_id playbook; licences (Windows, 12 cores) in spla_licences",
            sim -> sim.jenkinsRunAction("eq/run_playbook").jenkinsServerField("server_id").jenkinsTaskField("playbook")
                    .licencesField("spla_licences"),
            client -> client.jenkinsLaunch(JenkinsLaunch.ASSUMED.withAction("eq/run_playbook").withServerField("server_id")
                    .withTaskField("playbook")).licencesField("spla_licences"));
    /** eq/show's server data under names other than the assumed ones, the client told of each. */
    private static final InvapiVariant OTHER_SHOW_FIELD_NAMES = new InvapiVariant(
            "eq/show as kind, memory, drives[].capacity, cpus",
            sim -> sim.showRenamed("type", "kind").showRenamed("ram_gb", "memory").showRenamed("disks", "drives")
                    .showRenamed("size_gb", "capacity").showRenamed("cpu_cores", "cpus"),
            client -> client.showFields(ShowFields.DEFAULTS.withFirst(List.of("kind"), List.of("memory"), List.of("drives"),
                    List.of("capacity"), List.of("cpus"))));
    /** os/list's requirement tags under names other than the seed's, the client told of each. */
    private static final InvapiVariant OTHER_OS_TAG_NAMES = new InvapiVariant(
            "os/list tags as ram_min_gb, hdd_min_gb",
            sim -> sim.osTagRenamed("min_ram", "ram_min_gb").osTagRenamed("min_hdd", "hdd_min_gb"),
            client -> client.osTags(OsTagNames.SEED.with(OsTagNames.MIN_RAM, "ram_min_gb").with(OsTagNames.MIN_HDD, "hdd_min_gb")));
    private static final long WINDOWS = 201;
    private static final int LICENCES = 12;

    static Stream<InvapiVariant> variants() {
        return Stream.of(
                ALTERNATIVE_WORDINGS,
                new InvapiVariant("create_pxe, boot_dev and clear_pxe done within their answer (no callback key)",
                        sim -> sim.synchronousAction("create_pxe").synchronousAction("boot_dev").synchronousAction("clear_pxe"),
                        client -> { }),
                new InvapiVariant("stage 5 as Stage then OK; scope an object; context.id a number; key in 'not found'",
                        sim -> sim.stage5AsStage(true).scopeAsObject(true).contextIdAsNumber(true).keyInNotFoundMessage(true),
                        client -> { }),
                new InvapiVariant("stage number in context, oldest unread stage first, flat login, other field names",
                        sim -> sim.stageNumberIn(StageNumberIn.CONTEXT).stageDelivery(StageDelivery.OLDEST_UNREAD).flatLogin(true)
                                .reinstallKeyField("key").diskSchemeField("partition"),
                        client -> client.reinstallKeyFields("key").diskSchemeField("partition")),
                new InvapiVariant("stage number by order only; every action done within its answer",
                        sim -> sim.stageNumberIn(StageNumberIn.ORDER_ONLY).synchronousAction("create_pxe").synchronousAction("boot_dev")
                                .synchronousAction("clear_pxe").synchronousAction("reboot").synchronousAction("run_task"),
                        client -> { }),
                OTHER_LAUNCH_AND_LICENCE_NAMES,
                OTHER_SHOW_FIELD_NAMES,
                OTHER_OS_TAG_NAMES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void shouldReinstallThroughAllNineStepsWhateverShapeTheWireTakes(InvapiVariant variant) throws Exception {
        boolean licensed = variant == OTHER_LAUNCH_AND_LICENCE_NAMES;
        try (ReinstallStack stack = new ReinstallStack(100.0, variant)) {
            String requestId = "variant-" + UUID.randomUUID();
            stack.submit(stack.upstream(SERVER, ReinstallServer.newBuilder()
                    .setRequestId(requestId)
                    .setOsId(licensed ? WINDOWS : 101)
                    .setLicences(licensed ? LICENCES : null)
                    .setHostname("srv" + SERVER + ".variant.example.net")
                    .setRootPassword(stack.sealer.seal("Variant7%Root"))
                    .setPartitionScheme(PartitionScheme.LVM_RAID1)
                    .setJenkinsTasks(List.of("monitoring-agent"))
                    .build()));

            await("the completion of " + variant).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> !stack.completionsFor(SERVER).isEmpty());

            List<ReinstallCompletion> completions = stack.completionsFor(SERVER);
            assertThat(completions).hasSize(1);
            assertThat(completions.get(0).getRequestId()).isEqualTo(requestId);
            assertThat(completions.get(0).getOutcome()).isInstanceOf(ReinstallCompleted.class);
            assertThat(completions.get(0).getStageTimes()).containsOnlyKeys("1", "2", "3", "4", "5");
            assertThat(completions.get(0).getLicences()).as("licences billed").isEqualTo(licensed ? LICENCES : null);

            List<ReinstallEvent> events = stack.eventsFor(SERVER);
            assertThat(events).as("validation found every fact it needs (the client reads eq/show as the wire gives it)")
                    .filteredOn(e -> e.getPayload() instanceof ReinstallValidated)
                    .singleElement().satisfies(e -> {
                        ReinstallValidated validated = (ReinstallValidated) e.getPayload();
                        assertThat(validated.getNotChecked()).isEmpty();
                        assertThat(validated.getChecked()).as("the OS's requirement tags were read").contains("min-ram", "min-hdd");
                    });
            assertThat(stages(events)).as("each stage once, in order").containsExactly(1, 2, 3, 4, 5);
            for (AsyncActionKind action : Set.of(AsyncActionKind.CREATE_PXE, AsyncActionKind.BOOT_FROM_PXE, AsyncActionKind.BOOT_FROM_DISK,
                    AsyncActionKind.JENKINS_TASK, AsyncActionKind.CLEAR_PXE)) {
                assertThat(events).as("%s done once", action)
                        .filteredOn(e -> e.getPayload() instanceof ActionCompleted c && c.getAction() == action).hasSize(1);
            }
            assertThat(events).as("accepted with a key exactly where the wire gives one")
                    .filteredOn(e -> e.getPayload() instanceof ActionAccepted a && a.getCallbackKey() == null).isEmpty();

            ServerSnapshot server = stack.simulator.server(SERVER);
            assertThat(server.installsStarted()).isEqualTo(1);
            assertThat(server.bootDevice()).isEqualTo("disk");
            assertThat(server.pxeConfigPresent()).isFalse();
            assertThat(server.jenkinsTasksRun()).containsExactly("monitoring-agent");
            assertThat(stack.simulator.invariantReport().clean()).as(stack.simulator.invariantReport().toString()).isTrue();

            List<HostkeyCallFailed> failures = events.stream().map(ReinstallEvent::getPayload)
                    .filter(HostkeyCallFailed.class::isInstance).map(HostkeyCallFailed.class::cast).toList();
            assertThat(failures).as("every refusal the wire gave is typed").allMatch(f -> f.getRefusal() != HostkeyRefusal.UNCLASSIFIED);
            long refusedClears = stack.simulator.audit().stream()
                    .filter(a -> a.call().equals("eq/clear_pxe") && a.outcome().startsWith("ERROR")).count();
            assertThat(failures).as("each clear_pxe Hostkey refused, typed as a hostname mismatch")
                    .filteredOn(f -> f.getRefusal() == HostkeyRefusal.HOSTNAME_MISMATCH).hasSize((int) refusedClears);
            if (variant == ALTERNATIVE_WORDINGS) {
                assertThat(refusedClears).as("the reset's clear_pxe met the mismatch wording").isEqualTo(1);
            }
            if (licensed) {
                AuditEntry createPxe = stack.simulator.audit("eq", "create_pxe").getLast();
                assertThat(createPxe.params()).as("create_pxe as Hostkey saw it")
                        .containsEntry("spla_licences", String.valueOf(LICENCES)).doesNotContainKey("licenses");
                assertThat(stack.simulator.audit("eq", "run_playbook")).singleElement().satisfies(run -> {
                    assertThat(run.params()).containsEntry("server_id", String.valueOf(SERVER)).containsEntry("playbook", "monitoring-agent");
                    assertThat(run.outcome()).isEqualTo("OK");
                });
                assertThat(stack.simulator.audit("jenkins", "run_task")).as("the assumed name is not used").isEmpty();
            }

            String unknownRequest = "variant-unknown-" + UUID.randomUUID();
            stack.submit(stack.upstream(UNKNOWN_SERVER, ReinstallServer.newBuilder()
                    .setRequestId(unknownRequest)
                    .setOsId(101)
                    .setHostname("nobody.variant.example.net")
                    .setRootPassword(stack.sealer.seal("Variant7%Root"))
                    .build()));
            await("the refusal of an unknown server").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> !stack.completionsFor(UNKNOWN_SERVER).isEmpty());
            assertThat(stack.completionsFor(UNKNOWN_SERVER).get(0).getOutcome()).as("whatever the wording of 'not found'")
                    .isInstanceOfSatisfying(ReinstallRejected.class,
                            r -> assertThat(r.getReason()).isEqualTo(RejectionReason.SERVER_NOT_FOUND));
        }
    }

    private static List<Integer> stages(List<ReinstallEvent> events) {
        return events.stream().map(ReinstallEvent::getPayload)
                .filter(InstallStageReached.class::isInstance).map(p -> ((InstallStageReached) p).getStage()).toList();
    }
}

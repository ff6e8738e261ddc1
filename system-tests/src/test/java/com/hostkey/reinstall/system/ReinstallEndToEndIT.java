package com.hostkey.reinstall.system;

import com.hostkey.reinstall.testkit.TopicReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.ServerSnapshot;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One real reinstall through every part of the system, asserted the way a user would check it. */
class ReinstallEndToEndIT {

    private static final long SERVER = 1001;
    private static final String ROOT_PASSWORD = "Canary7%Root" + UUID.randomUUID().toString().substring(0, 6);
    private static final String POST_INSTALL_SCRIPT = "#!/bin/sh\necho canary-script-" + UUID.randomUUID();

    private static ReinstallStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = new ReinstallStack(100.0);
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldReinstallServerThroughAllNineStepsAndCompleteExactlyOnce() throws Exception {
        String requestId = "it-" + UUID.randomUUID();
        submit(reinstall(requestId, List.of("monitoring-agent")));

        await("the completion on reinstall-completions").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> completionsFor(SERVER).size() >= 1);

        List<ReinstallCompletion> completions = completionsFor(SERVER);
        assertThat(completions).hasSize(1);
        ReinstallCompletion completion = completions.get(0);
        assertThat(completion.getRequestId()).isEqualTo(requestId);
        assertThat(completion.getOutcome()).isInstanceOf(ReinstallCompleted.class);
        assertThat(completion.getStageTimes()).containsOnlyKeys("1", "2", "3", "4", "5");

        // The facts, in order, on reinstall-events.
        List<String> events = eventsFor(SERVER);
        assertThat(events).containsOnlyOnce("ActionCompleted:REBOOT");
        assertThat(events.stream().filter(e -> !e.equals("ActionCompleted:REBOOT")).toList()).containsExactly(
                "ReinstallValidated",
                "AdmissionGranted",
                "ReinstallKeyCreated",
                "ActionAccepted:CREATE_PXE", "ActionCompleted:CREATE_PXE",
                "ActionAccepted:BOOT_FROM_PXE", "ActionCompleted:BOOT_FROM_PXE",
                "ActionAccepted:REBOOT",
                "InstallStageReached:1", "InstallStageReached:2", "InstallStageReached:3",
                "InstallStageReached:4", "InstallStageReached:5",
                "ActionAccepted:BOOT_FROM_DISK", "ActionCompleted:BOOT_FROM_DISK",
                "ActionAccepted:JENKINS_TASK", "ActionCompleted:JENKINS_TASK",
                "ActionAccepted:CLEAR_PXE", "ActionCompleted:CLEAR_PXE");
        assertThat(events.indexOf("ActionCompleted:REBOOT")).isGreaterThan(events.indexOf("ActionAccepted:REBOOT"));

        // The calls Hostkey received for this server, in order (callback checks and logins aside).
        List<String> calls = stack.simulator.audit().stream()
                .filter(a -> Long.valueOf(SERVER).equals(a.serverId()))
                .filter(a -> !a.module().equals("eq_callback") && !a.module().equals("auth"))
                .map(ReinstallEndToEndIT::describe)
                .toList();
        assertThat(calls).containsExactly(
                "eq/show", "os/list", "eq/reinstall", "eq/create_pxe", "eq/boot_dev:pxe", "eq/reboot",
                "eq/boot_dev:disk", "jenkins/run_task", "eq/clear_pxe");

        // The server is left as an operator expects it: reinstalled once, booting from disk, no PXE config.
        ServerSnapshot server = stack.simulator.server(SERVER);
        assertThat(server.installsStarted()).isEqualTo(1);
        assertThat(server.suddenReinstalls()).isZero();
        assertThat(server.bootDevice()).isEqualTo("disk");
        assertThat(server.pxeConfigPresent()).isFalse();
        assertThat(server.jenkinsTasksRun()).containsExactly("monitoring-agent");
        assertThat(stack.simulator.invariantReport().clean()).isTrue();

        // The final state, as an analyst reads it through the query API.
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.queryUrl("/reinstalls/" + SERVER)))
                        .header("Authorization", "Bearer " + stack.queryToken()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode state = new ObjectMapper().readTree(response.body());
        assertThat(state.path("phase").asText()).isEqualTo("COMPLETED");
        assertThat(state.path("installStage").asInt()).isEqualTo(5);
        assertThat(state.path("requestId").asText()).isEqualTo(requestId);
        assertThat(response.body()).doesNotContain(ROOT_PASSWORD);

        // The secrets were delivered to Hostkey ...
        AuditEntry createPxe = stack.simulator.audit("eq", "create_pxe").stream()
                .filter(a -> Long.valueOf(SERVER).equals(a.serverId())).findFirst().orElseThrow();
        assertThat(createPxe.params()).containsEntry("hostname", "srv1001.reinstalled.example.net")
                .as("Ubuntu is not licensed per core").doesNotContainKey("licenses");
        assertThat(completion.getLicences()).isNull();
        // ... and appear in no topic, internal changelogs included.
        try (var admin = stack.kafka.admin()) {
            for (String topic : admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true)).names().get()) {
                for (ConsumerRecord<String, byte[]> record : TopicReader.readAll(stack.kafka.bootstrapServers(), topic, new ByteArrayDeserializer())) {
                    String text = record.value() == null ? "" : new String(record.value(), StandardCharsets.ISO_8859_1);
                    assertThat(text).as("record on %s", topic).doesNotContain(ROOT_PASSWORD).doesNotContain("canary-script-");
                }
            }
        }
    }

    @Test
    void shouldSendTheLicencesOfAnOsLicensedPerCoreAndBillThemWhenTheyCoverTheCores() throws Exception {
        long server = 1005; // bm, 12 cores
        long tooFew = 1006; // bm, 12 cores too
        submit(licensed(server, "it-windows-" + UUID.randomUUID(), 12));
        submit(licensed(tooFew, "it-windows-short-" + UUID.randomUUID(), 10));

        await("the completions of both Windows reinstalls").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> !completionsFor(server).isEmpty() && !completionsFor(tooFew).isEmpty());

        ReinstallCompletion completion = completionsFor(server).get(0);
        assertThat(completion.getOutcome()).isInstanceOf(ReinstallCompleted.class);
        assertThat(completion.getOsName()).isEqualTo("Windows Server 2022");
        assertThat(completion.getLicences()).as("the licences billed").isEqualTo(12);
        assertThat(stack.eventsFor(server).stream().map(ReinstallEvent::getPayload)
                .filter(com.hostkey.reinstall.schemas.avro.ReinstallValidated.class::isInstance).findFirst().orElseThrow())
                .isInstanceOfSatisfying(com.hostkey.reinstall.schemas.avro.ReinstallValidated.class, v -> {
                    assertThat(v.getChecked()).contains("licences", "licences-cover-cores");
                    assertThat(v.getNotChecked()).isEmpty();
                });
        assertThat(stack.simulator.audit("eq", "create_pxe").stream().filter(a -> Long.valueOf(server).equals(a.serverId())))
                .singleElement().satisfies(a -> assertThat(a.params()).containsEntry("licenses", "12").containsEntry("os_id", "201"));

        assertThat(completionsFor(tooFew).get(0).getOutcome()).isInstanceOfSatisfying(
                com.hostkey.reinstall.schemas.avro.ReinstallRejected.class, r -> {
                    assertThat(r.getReason().name()).isEqualTo("INVALID_LICENCE_COUNT");
                    assertThat(r.getMessage()).contains("this server has 12 cores").contains("at least 12");
                });
        assertThat(completionsFor(tooFew).get(0).getLicences()).isNull();
        assertThat(stack.simulator.audit("eq", "create_pxe").stream().filter(a -> Long.valueOf(tooFew).equals(a.serverId())))
                .as("a request rejected before anything touched the server").isEmpty();
    }

    @Test
    void shouldAcknowledgeTheSameRequestOnceAndRejectASecondRequestForABusyServer() throws Exception {
        long server = 1002;
        String requestId = "it-dup-" + UUID.randomUUID();
        ReinstallRequest first = reinstall(server, requestId, List.of());
        submit(first);
        submit(first); // the same command delivered twice
        submit(reinstall(server, "it-other-" + UUID.randomUUID(), List.of()));

        await("two completions for server 1002").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> completionsFor(server).size() >= 2);
        List<ReinstallCompletion> completions = completionsFor(server);
        assertThat(completions).hasSize(2);
        assertThat(completions.get(0).getOutcome()).isInstanceOf(com.hostkey.reinstall.schemas.avro.ReinstallRejected.class);
        assertThat(((com.hostkey.reinstall.schemas.avro.ReinstallRejected) completions.get(0).getOutcome()).getReason().name())
                .isEqualTo("ALREADY_IN_PROGRESS");
        assertThat(completions.get(1).getRequestId()).isEqualTo(requestId);
        assertThat(completions.get(1).getOutcome()).isInstanceOf(ReinstallCompleted.class);
        assertThat(stack.simulator.server(server).installsStarted()).isEqualTo(1);
        assertThat(stack.simulator.audit("eq", "reinstall").stream().filter(a -> Long.valueOf(server).equals(a.serverId()))).hasSize(1);
    }

    private static String describe(AuditEntry entry) {
        String call = entry.call();
        return call.equals("eq/boot_dev") ? call + ":" + entry.params().get("media") : call;
    }

    private static ReinstallRequest reinstall(String requestId, List<String> tasks) {
        return reinstall(SERVER, requestId, tasks);
    }

    private static ReinstallRequest reinstall(long server, String requestId, List<String> tasks) {
        return stack.upstream(server, ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(101)
                .setHostname("srv" + server + ".reinstalled.example.net")
                .setRootPassword(stack.sealer.seal(ROOT_PASSWORD))
                .setPostInstallScript(stack.sealer.seal(POST_INSTALL_SCRIPT))
                .setSshKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl it@example")
                .setPartitionScheme(PartitionScheme.LVM_RAID1)
                .setJenkinsTasks(tasks)
                .build());
    }

    private static ReinstallRequest licensed(long server, String requestId, int licences) {
        return stack.upstream(server, ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(201)
                .setHostname("win" + server + ".reinstalled.example.net")
                .setRootPassword(stack.sealer.seal(ROOT_PASSWORD))
                .setLicences(licences)
                .build());
    }

    private static void submit(ReinstallRequest command) throws Exception {
        stack.submit(command);
    }

    private static List<ReinstallCompletion> completionsFor(long server) {
        return stack.completionsFor(server);
    }

    private static List<String> eventsFor(long server) {
        return stack.eventsFor(server).stream().map(ReinstallEndToEndIT::describe).toList();
    }

    private static String describe(ReinstallEvent event) {
        Object payload = event.getPayload();
        String name = payload.getClass().getSimpleName();
        return switch (payload) {
            case ActionAccepted a -> name + ":" + a.getAction();
            case ActionCompleted c -> name + ":" + c.getAction();
            case InstallStageReached s -> name + ":" + s.getStage();
            default -> name;
        };
    }
}

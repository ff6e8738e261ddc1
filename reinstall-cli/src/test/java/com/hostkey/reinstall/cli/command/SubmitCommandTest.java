package com.hostkey.reinstall.cli.command;

import static com.hostkey.reinstall.cli.ProjectorJson.completed;
import static com.hostkey.reinstall.cli.ProjectorJson.failedInReboot;
import static com.hostkey.reinstall.cli.ProjectorJson.history;
import static com.hostkey.reinstall.cli.ProjectorJson.installing;
import static com.hostkey.reinstall.cli.ProjectorJson.validating;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ProjectorJson;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.FakeConnectors.FakeHostkey;
import com.hostkey.reinstall.cli.SealingKeyFixture;
import com.hostkey.reinstall.schemas.ReinstallIds;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubmitCommandTest {

    private static final String PASSWORD = "Rz7kQ2mVx9pL%q";
    private static final String SSH_KEY = ed25519Key();

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun().withKafka();
    private Path jwks;

    @BeforeEach
    void sealingKey() {
        jwks = SealingKeyFixture.jwksIn(dir);
        cli.stdin = PASSWORD + "\n";
    }

    /** A well-formed OpenSSH ed25519 public key line (type, then the wire-format blob, then a comment). */
    private static String ed25519Key() {
        byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer blob = ByteBuffer.allocate(4 + type.length + 4 + 32).putInt(type.length).put(type).putInt(32).put(new byte[32]);
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob.array()) + " ops@example.net";
    }

    private String[] submit(String... extra) {
        List<String> args = new ArrayList<>(List.of("submit", "1001", "--os", "101", "--hostname", "web1.example.net",
                "--jwks", jwks.toString(), "--password-stdin"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private ReinstallServer publishedRequest() {
        assertThat(cli.connectors.published).hasSize(1);
        return (ReinstallServer) cli.connectors.published.getFirst().getPayload();
    }

    @Test
    void shouldPublishTheRequestWithThePasswordAndScriptSealed() throws Exception {
        Path key = Files.writeString(dir.resolve("id.pub"), SSH_KEY + "\n");
        Path script = Files.writeString(dir.resolve("post.sh"), "#!/bin/sh\necho secret-token\n");

        CliRun.Result result = cli.run(submit("--partition", "lvm_raid1", "--ssh-key-file", key.toString(), "--script-file",
                script.toString(), "--callback-url", "https://cb.example.net/done", "--task", "agent,docker", "--optional-task",
                "extras", "--licences", "8", "--account", "eu", "--request-id", "order-7731", "--issued-by", "provisioning"));

        assertThat(result.code()).as(result.err()).isZero();
        ReinstallRequest command = cli.connectors.published.getFirst();
        assertThat(command.getServerId()).isEqualTo(1001);
        assertThat(command.getIssuedBy()).isEqualTo("provisioning");
        assertThat(command.getIssuedAt()).isEqualTo(cli.clock.instant());
        ReinstallServer request = publishedRequest();
        assertThat(request.getRequestId()).isEqualTo("order-7731");
        assertThat(request.getOsId()).isEqualTo(101);
        assertThat(request.getHostname()).isEqualTo("web1.example.net");
        assertThat(request.getPartitionScheme()).isEqualTo(PartitionScheme.LVM_RAID1);
        assertThat(request.getSshKey()).isEqualTo(SSH_KEY);
        assertThat(request.getPostInstallCallbackUrl()).isEqualTo("https://cb.example.net/done");
        assertThat(request.getJenkinsTasks()).containsExactly("agent", "docker");
        assertThat(request.getOptionalJenkinsTasks()).containsExactly("extras");
        assertThat(request.getLicences()).isEqualTo(8);
        assertThat(request.getAccount()).isEqualTo("eu");
        assertThat(SealingKeyFixture.keyIdOf(request.getRootPassword())).as("the set's first key").isEqualTo(SealingKeyFixture.KEY_ID);
        assertThat(SealingKeyFixture.open(request.getRootPassword())).isEqualTo(PASSWORD);
        assertThat(SealingKeyFixture.open(request.getPostInstallScript())).contains("secret-token");
        assertThat(result.out()).contains("Submitted a reinstall of server 1001").contains("order-7731")
                .contains("reinstall-requests partition 0 offset 0").contains("reinstall watch 1001")
                .doesNotContain(PASSWORD).doesNotContain("secret-token");
    }

    @Test
    void shouldAnswerScriptsWithTheIdsAndWhereTheCommandWent() {
        CliRun.Result result = cli.run(submit("--json", "--request-id", "order-1"));

        assertThat(result.code()).isZero();
        JsonNode json = result.json();
        assertThat(json.get("serverId").asLong()).isEqualTo(1001);
        assertThat(json.get("requestId").asText()).isEqualTo("order-1");
        assertThat(json.get("reinstallId").asText()).isEqualTo(ReinstallIds.forRequest(1001, "order-1"));
        assertThat(json.get("commandId").asText()).isEqualTo(cli.connectors.published.getFirst().getCommandId());
        assertThat(json.get("topic").asText()).isEqualTo("reinstall-requests");
        assertThat(json.has("partition") && json.has("offset") && json.has("osId") && json.has("sealedWithKey")).isTrue();
    }

    @Test
    void shouldGiveEveryRequestAFreshIdUnlessOneIsGiven() {
        cli.run(submit());
        cli.stdin = PASSWORD + "\n";
        cli.run(submit());

        assertThat(cli.connectors.published).extracting(c -> ((ReinstallServer) c.getPayload()).getRequestId())
                .doesNotHaveDuplicates().allMatch(id -> id.startsWith("cli-"));
    }

    @Test
    void shouldAskTwiceAtThePromptAndRefuseDifferentEntries() {
        List<String> typed = new ArrayList<>(List.of(PASSWORD, PASSWORD + "x"));
        cli.prompt = prompt -> typed.removeFirst();
        List<String> args = new ArrayList<>(List.of(submit()));
        args.remove("--password-stdin");

        CliRun.Result result = cli.run(args.toArray(String[]::new));

        assertThat(result.code()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(result.err()).contains("the two passwords typed differ");
        assertThat(cli.connectors.published).isEmpty();
    }

    @Test
    void shouldReadThePasswordFromTheTerminalPrompt() {
        cli.prompt = prompt -> PASSWORD;
        List<String> args = new ArrayList<>(List.of(submit()));
        args.remove("--password-stdin");

        assertThat(cli.run(args.toArray(String[]::new)).code()).isZero();
        assertThat(SealingKeyFixture.open(publishedRequest().getRootPassword())).isEqualTo(PASSWORD);
    }

    @Test
    void shouldSayHowToGiveThePasswordWhenThereIsNoTerminal() {
        List<String> args = new ArrayList<>(List.of(submit()));
        args.remove("--password-stdin");

        CliRun.Result result = cli.run(args.toArray(String[]::new));

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("no terminal to ask for the root password").contains("--password-stdin");
    }

    @Test
    void shouldReadThePasswordFile() throws Exception {
        Path file = Files.writeString(dir.resolve("pw"), PASSWORD + "\nignored second line\n");
        List<String> args = new ArrayList<>(List.of(submit("--password-file", file.toString())));
        args.remove("--password-stdin");

        assertThat(cli.run(args.toArray(String[]::new)).code()).isZero();
        assertThat(SealingKeyFixture.open(publishedRequest().getRootPassword())).isEqualTo(PASSWORD);
    }

    @Test
    void shouldRefuseBothPasswordSources() {
        CliRun.Result result = cli.run(submit("--password-file", "pw"));

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("mutually exclusive");
    }

    @Test
    void shouldSayWhichFileCannotBeRead() {
        CliRun.Result result = cli.run(submit("--ssh-key-file", dir.resolve("missing.pub").toString()));

        assertThat(result.code()).isEqualTo(ExitCode.NO_INPUT);
        assertThat(result.err()).contains("cannot read " + dir.resolve("missing.pub") + ": no such file").contains("field: --ssh-key-file");
        assertThat(cli.connectors.published).isEmpty();
    }

    @Test
    void shouldRefuseWhatTheHandlerWouldRejectBeforePublishing() {
        cli.stdin = "short\n";
        CliRun.Result weak = cli.run(submit());
        assertThat(weak.code()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(weak.err()).contains("rootPassword is too short").contains("field: root password").doesNotContain("short\n");

        cli.stdin = PASSWORD + "\n";
        CliRun.Result badHost = cli.run("submit", "1001", "--os", "101", "--hostname", "web_1", "--jwks", jwks.toString(),
                "--password-stdin", "--json");
        assertThat(badHost.code()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(badHost.errorJson().get("field").asText()).isEqualTo("--hostname");
        assertThat(badHost.errorJson().get("error").asText()).contains("'_' at position 4").contains("INVALID_HOSTNAME");
        assertThat(badHost.errorJson().get("hint").asText()).contains("correct --hostname");
        assertThat(cli.connectors.published).isEmpty();
    }

    @Test
    void shouldNeedTheSealingKeyBeforeAskingForThePassword() {
        cli.prompt = prompt -> {
            throw new AssertionError("asked for a password without a sealing key");
        };
        CliRun.Result result = cli.run("submit", "1001", "--os", "101", "--hostname", "web1.example.net");

        assertThat(result.code()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("no sealing key").contains("--jwks FILE|URL").contains("REINSTALL_SEALING_JWKS");
    }

    @Test
    void shouldSayThatThePemSettingIsNoLongerRead() {
        cli.env.put("REINSTALL_SEALING_PUBLIC_KEY", "/keys/handler.pub.pem");

        CliRun.Result result = cli.run("submit", "1001", "--os", "101", "--hostname", "web1.example.net", "--password-stdin");

        assertThat(result.code()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("REINSTALL_SEALING_PUBLIC_KEY is set, but PEM keys are no longer read");
        assertThat(cli.connectors.published).isEmpty();
    }

    @Test
    void shouldTakeTheSealingKeysFromTheEnvironment() throws Exception {
        cli.env.put("REINSTALL_SEALING_JWKS", jwks.toString());

        CliRun.Result result = cli.run("submit", "1001", "--os", "101", "--hostname", "web1.example.net", "--password-stdin");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(SealingKeyFixture.open(publishedRequest().getRootPassword())).isEqualTo(PASSWORD);
    }

    @Test
    void shouldSealToAnotherKeyOfTheSetWhenNamed() {
        cli.env.put("REINSTALL_SEALING_KEY_ID", SealingKeyFixture.PREVIOUS_KEY_ID);

        CliRun.Result result = cli.run(submit());

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(SealingKeyFixture.keyIdOf(publishedRequest().getRootPassword())).isEqualTo(SealingKeyFixture.PREVIOUS_KEY_ID);
        assertThat(SealingKeyFixture.open(publishedRequest().getRootPassword())).isEqualTo(PASSWORD);
    }

    @Test
    void shouldRefuseAKeyIdTheSetDoesNotHold() {
        CliRun.Result result = cli.run(submit("--key-id", "retired-key"));

        assertThat(result.code()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("no key 'retired-key'").contains(SealingKeyFixture.KEY_ID);
        assertThat(cli.connectors.published).isEmpty();
    }

    @Test
    void shouldFetchTheSealingKeysFromTheHandlersUrl() throws Exception {
        com.sun.net.httpserver.HttpServer handler = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = Files.readAllBytes(jwks);
        handler.createContext("/.well-known/jwks.json", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        handler.start();
        try {
            String url = "http://127.0.0.1:" + handler.getAddress().getPort();
            CliRun.Result fetched = cli.run("submit", "1001", "--os", "101", "--hostname", "web1.example.net", "--jwks",
                    url + "/.well-known/jwks.json", "--password-stdin");
            assertThat(fetched.code()).as(fetched.err()).isZero();
            assertThat(SealingKeyFixture.open(publishedRequest().getRootPassword())).isEqualTo(PASSWORD);

            cli.stdin = PASSWORD + "\n";
            CliRun.Result missing = cli.run("submit", "1001", "--os", "101", "--hostname", "web1.example.net", "--jwks",
                    url + "/jwks", "--password-stdin");
            assertThat(missing.code()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(missing.err()).contains("answered HTTP 404");
        } finally {
            handler.stop(0);
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotAJwkSet() throws Exception {
        Path notKeys = Files.writeString(dir.resolve("x.pem"), "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        CliRun.Result result = cli.run("submit", "1001", "--os", "101", "--hostname", "a.b", "--jwks", notKeys.toString(),
                "--password-stdin");

        assertThat(result.code()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("is not a JWK Set");
    }

    @Test
    void shouldResolveAnOsNameThroughHostkey() {
        FakeHostkey hostkey = new FakeHostkey();
        hostkey.offers = List.of(new OsOffer(101, "Ubuntu 22.04", true, Map.of("bm", "1")),
                new OsOffer(102, "Ubuntu 24.04", true, Map.of("bm", "1")),
                new OsOffer(201, "Debian 12", true, Map.of("bm", "1")));
        cli.connectors.hostkey = hostkey;
        cli.env.put("HOSTKEY_BASE_URL", "https://invapi.example");

        CliRun.Result byName = cli.run("submit", "1001", "--os", "debian", "--hostname", "web1.example.net", "--jwks",
                jwks.toString(), "--password-stdin");
        assertThat(byName.code()).as(byName.err()).isZero();
        assertThat(publishedRequest().getOsId()).isEqualTo(201);
        assertThat(byName.out()).contains("OS 201 (Debian 12)");
        assertThat(hostkey.closed).isTrue();

        cli.stdin = PASSWORD + "\n";
        CliRun.Result ambiguous = cli.run("submit", "1001", "--os", "ubuntu", "--hostname", "web1.example.net", "--jwks",
                jwks.toString(), "--password-stdin");
        assertThat(ambiguous.code()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(ambiguous.err()).contains("'ubuntu' matches 2 OSes").contains("101 (Ubuntu 22.04)").contains("field: --os");
    }

    @Test
    void shouldAskForAnOsIdWhenHostkeyIsNotConfigured() {
        CliRun.Result result = cli.run("submit", "1001", "--os", "Debian 12", "--hostname", "web1.example.net", "--jwks",
                jwks.toString(), "--password-stdin");

        assertThat(result.code()).isEqualTo(ExitCode.CONFIG);
        assertThat(result.err()).contains("'Debian 12' is an OS name").contains("give the numeric OS id instead").contains("field: --os");
    }

    @Test
    void shouldDryRunWithoutHostkeyCheckingFieldsOnlyAndPublishNothing() {
        CliRun.Result result = cli.run("submit", "1001", "--os", "101", "--hostname", "web1.example.net", "--password-stdin",
                "--dry-run", "--task", "agent");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("Dry run for server 1001: nothing is published.")
                .contains("fields         ok").contains("server         skipped: HOSTKEY_BASE_URL is not set")
                .contains("8 Jenkins tasks (agent)").contains("a sealing key is needed").contains("Valid.")
                .doesNotContain(PASSWORD);
        assertThat(cli.connectors.published).isEmpty();
        assertThat(cli.connectors.kafkaSettings).isNull();
    }

    @Test
    void shouldDryRunAgainstTheServerAndReportEveryProblem() {
        FakeHostkey hostkey = new FakeHostkey();
        hostkey.offers = List.of(new OsOffer(101, "Ubuntu 22.04", true, Map.of("bm", "1")));
        hostkey.tasks = List.of(new JenkinsTask("agent", "Monitoring agent", List.of("default")));
        cli.connectors.hostkey = hostkey;
        cli.env.put("HOSTKEY_BASE_URL", "https://invapi.example");
        cli.stdin = "weak\n";

        CliRun.Result result = cli.run("submit", "1001", "--os", "101", "--hostname", "web1.example.net", "--password-stdin",
                "--dry-run", "--task", "agent", "--optional-task", "nope", "--json");

        assertThat(result.code()).isEqualTo(ExitCode.INVALID_INPUT);
        JsonNode json = result.json();
        assertThat(json.get("dryRun").asBoolean()).isTrue();
        assertThat(json.get("valid").asBoolean()).isFalse();
        assertThat(json.get("checks").get("fields").asText()).isEqualTo("failed");
        assertThat(json.get("checks").get("server").asText()).isEqualTo("failed");
        assertThat(json.get("problems")).hasSize(2);
        assertThat(json.get("problems").get(0).get("reason").asText()).isEqualTo(RejectionReason.INVALID_PASSWORD.name());
        assertThat(json.get("problems").get(1).get("option").asText()).isEqualTo("--optional-task");
        assertThat(json.get("request").get("osName").asText()).isEqualTo("Ubuntu 22.04");
        assertThat(cli.connectors.published).isEmpty();
    }

    @Test
    void shouldDryRunAValidRequestAgainstTheServer() {
        FakeHostkey hostkey = new FakeHostkey();
        hostkey.offers = List.of(new OsOffer(101, "Ubuntu 22.04", true, Map.of("bm", "1")));
        cli.connectors.hostkey = hostkey;
        cli.env.put("HOSTKEY_BASE_URL", "https://invapi.example");

        CliRun.Result result = cli.run("submit", "1001", "--os", "101", "--hostname", "web1.example.net", "--password-stdin",
                "--dry-run", "--partition", "LVM_RAID1");

        assertThat(result.code()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("server         ok: bm server, in NL, 32 GB RAM, disks 480, 480 GB");
    }

    @Test
    void shouldRefuseDryRunWithWatch() {
        CliRun.Result result = cli.run(submit("--dry-run", "--watch"));

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("--dry-run publishes nothing, so there is nothing to watch");
    }

    @Test
    void shouldWatchTheSubmittedRequestAndNotTheServersPreviousReinstall() {
        String mine = ReinstallIds.forRequest(1001, "order-9");
        ProjectorJson.History history = history(1001).throughStage2("r-old", "old-order").toCompletion("r-old");
        String before = history.json();
        history.entry(101, "ReinstallServer", mine, 0, "INFO", "reinstall requested: OS 101, hostname web1.example.net, request order-9 by cli:test");
        String taken = history.entry(101.5, "ReinstallValidated", mine, 0, "INFO", "validated: Ubuntu 22.04 fits this server (bm, NL)").json();
        String failed = history.entry(120, "ActionFailed", mine, 4, "ERROR", "reboot: FAILED: the reboot was refused").json();
        cli.connectors.projector.server(1001)
                .then(completed(1001, "r-old", "old-order").json(), before) // the projector has not taken the request up yet
                .then(validating(1001, mine, "order-9").requested(101).json(), taken)
                .then(failedInReboot(1001, mine, "order-9").requested(101).json(), failed);

        CliRun.Result result = cli.run(submit("--watch", "--request-id", "order-9"));

        assertThat(result.code()).as(result.out() + result.err()).isEqualTo(ExitCode.FAILED);
        assertThat(cli.connectors.published).hasSize(1);
        assertThat(result.out()).contains("Submitted a reinstall of server 1001")
                .contains("Watching server 1001: waiting for the state projector to take up request order-9")
                .contains("following reinstall " + mine + " (request order-9): validating")
                .contains("4/9 ERROR: reboot: FAILED: the reboot was refused")
                .contains("Outcome: FAILED in 4/9 reboot (AUTH): the reboot was refused")
                .doesNotContain("old-order").doesNotContain("clear PXE config: done");
        assertThat(result.out().lines().filter(l -> l.contains("reinstall requested")).count()).isEqualTo(1);
    }

    @Test
    void shouldEndTheWatchAsRejectedWhenTheProjectorRefusesTheRequest() {
        String mine = ReinstallIds.forRequest(1001, "order-9");
        cli.connectors.projector.server(1001)
                .then(installing(1001, "r-other", "other").json(), history(1001)
                        .entry(101, "ReinstallServer", mine, 0, "INFO", "reinstall requested: request order-9 by cli:test")
                        .entry(101, "RequestRejected", mine, 0, "ERROR", "request order-9 refused: ALREADY_IN_PROGRESS: server 1001 "
                                + "already has reinstall r-other in phase INSTALLING; cancel it or wait for its end").json());

        CliRun.Result result = cli.run(submit("--watch", "--request-id", "order-9", "--json"));

        assertThat(result.code()).as(result.out() + result.err()).isEqualTo(ExitCode.REJECTED);
        List<JsonNode> lines = result.jsonLines();
        assertThat(lines).extracting(l -> l.get("type").asText()).containsExactly("submitted", "entry", "entry", "outcome");
        assertThat(lines.getLast().get("outcome").asText()).isEqualTo("REJECTED");
        assertThat(lines.getLast().get("message").asText()).contains("ALREADY_IN_PROGRESS");
        assertThat(lines.getLast().get("state").isNull()).isTrue();
    }
}

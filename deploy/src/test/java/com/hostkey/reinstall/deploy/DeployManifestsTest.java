package com.hostkey.reinstall.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Validates the production manifests (every YAML file under deploy/k8s) without a cluster: each
 * document against {@code k8s-manifest.schema.json}, then what a schema cannot say: the topics are
 * the ones the code uses and co-partitioned, every environment variable a container gets is one its
 * service reads and every one it requires is set (the lists in {@code service-environment.yaml},
 * themselves checked against the code and docs/configuration.md), files named by variables are
 * mounted, probes hit the port the service listens on, every workload has a disruption budget, the
 * Kafka users' ACLs keep reinstall-steps between the projector and the handler and give the
 * integrators (upstream, billing, operators) exactly their documented rights. Also checks that the Grafana dashboard only
 * uses documented metrics.
 */
class DeployManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Path REPOSITORY = Path.of("..");
    private static final Path CONFIGURATION_DOC = REPOSITORY.resolve("docs/configuration.md");
    private static final Path DASHBOARD = Path.of("grafana/reinstall-dashboard.json");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** The topics that must all have the same partition count (see kafka-topics.yaml). */
    private static final Set<String> CO_PARTITIONED = Set.of(ReinstallTopics.REQUESTS, ReinstallTopics.STEPS,
            ReinstallTopics.EVENTS, ReinstallTopics.INTENTS, ReinstallTopics.POLL_TARGETS, ReinstallTopics.COMPLETIONS);

    /** The cluster resource of a KafkaUser ACL has no name; this stands for it in {@link Acl}. */
    private static final String CLUSTER = "kafka-cluster";

    /** Modules every service runs: what their code reads is checked against every service at once. */
    private static final List<String> SHARED_MODULES = List.of("schemas", "service-runtime");

    private static List<Manifest> manifests;
    private static ServiceEnvironment environment;

    /** One document of one file. */
    record Manifest(Path file, int index, JsonNode doc) {
        String kind() {
            return doc.path("kind").asText();
        }

        String name() {
            return doc.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return file + "#" + index + " (" + kind() + " " + name() + ")";
        }
    }

    @BeforeAll
    static void load() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        }
        manifests = new ArrayList<>();
        for (Path file : files) {
            manifests.addAll(parse(file));
        }
        try (InputStream in = DeployManifestsTest.class.getResourceAsStream("/service-environment.yaml")) {
            environment = ServiceEnvironment.read(YAML.readTree(in));
        }
    }

    private static List<Manifest> parse(Path file) throws IOException {
        List<Manifest> documents = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(file.toFile())) {
            var values = YAML.readValues(parser, JsonNode.class);
            int index = 0;
            while (values.hasNext()) {
                JsonNode doc = values.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    documents.add(new Manifest(file, index, doc));
                }
                index++;
            }
        }
        assertThat(documents).as("%s holds no document", file).isNotEmpty();
        return documents;
    }

    @Test
    void shouldParseEveryYamlFileAndFindEveryKindTheDeploymentNeeds() {
        assertThat(manifests).extracting(Manifest::kind).contains("Deployment", "StatefulSet", "Service", "PodDisruptionBudget",
                "ConfigMap", "Secret", "KafkaTopic", "KafkaUser");
    }

    @Test
    void shouldMatchTheManifestSchema() throws IOException {
        Schema schema;
        try (InputStream in = DeployManifestsTest.class.getResourceAsStream("/k8s-manifest.schema.json")) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
        Map<String, List<String>> problems = new LinkedHashMap<>();
        for (Manifest manifest : manifests) {
            List<Error> errors = schema.validate(JSON.writeValueAsString(manifest.doc()), InputFormat.JSON);
            if (!errors.isEmpty()) {
                problems.put(manifest.toString(), errors.stream().map(Error::toString).toList());
            }
        }
        assertThat(problems).as("schema violations").isEmpty();
    }

    @Test
    void shouldRejectAManifestWithoutProbesOrResourcesOrTopicSettings() throws IOException {
        Schema schema;
        try (InputStream in = DeployManifestsTest.class.getResourceAsStream("/k8s-manifest.schema.json")) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
        String deployment = """
                {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
                 "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                  "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "x", "image": "x:1"}]}}}}
                """;
        String topic = """
                {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic",
                 "metadata": {"name": "t", "labels": {"strimzi.io/cluster": "c"}},
                 "spec": {"partitions": 3, "replicas": 1, "config": {"cleanup.policy": "delete"}}}
                """;
        assertThat(schema.validate(deployment, InputFormat.JSON)).extracting(Error::toString)
                .anyMatch(e -> e.contains("livenessProbe")).anyMatch(e -> e.contains("resources"));
        assertThat(schema.validate(topic, InputFormat.JSON)).extracting(Error::toString)
                .anyMatch(e -> e.contains("min.insync.replicas")).anyMatch(e -> e.contains("retention.ms"))
                .anyMatch(e -> e.contains("replicas"));
        assertThat(schema.validate("{\"kind\": \"ConfigMap\", \"metadata\": {}}", InputFormat.JSON)).extracting(Error::toString)
                .anyMatch(e -> e.contains("apiVersion")).anyMatch(e -> e.contains("name"));
    }

    @Test
    void shouldDeclareEveryTopicTheCodeUsesCoPartitionedWithCompactionWhereItIsMeant() {
        Map<String, JsonNode> topics = new HashMap<>();
        of("KafkaTopic").forEach(m -> topics.put(m.doc().path("spec").path("topicName").asText(m.name()), m.doc().path("spec")));

        assertThat(topics.keySet()).containsExactlyInAnyOrder(ReinstallTopics.REQUESTS, ReinstallTopics.STEPS,
                ReinstallTopics.EVENTS, ReinstallTopics.POLL_TARGETS, ReinstallTopics.COMPLETIONS, ReinstallTopics.ADMISSIONS, ReinstallTopics.INTENTS,
                ReinstallTopics.DEAD_LETTERS);
        assertThat(CO_PARTITIONED.stream().map(t -> topics.get(t).path("partitions").asInt()).distinct())
                .as("co-partitioned topics share one partition count").hasSize(1);
        assertThat(topics.get(ReinstallTopics.ADMISSIONS).path("partitions").asInt()).as("one admission owner").isEqualTo(1);
        topics.forEach((name, spec) -> assertThat(spec.path("config").path("cleanup.policy").asText()).as(name)
                .isEqualTo(name.equals(ReinstallTopics.POLL_TARGETS) || name.equals(ReinstallTopics.INTENTS) ? "compact" : "delete"));
    }

    @Test
    void shouldSetOnlyVariablesTheServicesRead() {
        Map<String, Map<String, String>> configMaps = new HashMap<>();
        of("ConfigMap").forEach(m -> configMaps.put(m.name(), strings(m.doc().path("data"))));
        List<String> problems = new ArrayList<>();
        for (Container container : containers()) {
            Set<String> allowed = environment.allowedFor(container.name());
            if (allowed == null) {
                problems.add(container + ": no service of that name in service-environment.yaml");
                continue;
            }
            for (String variable : container.environment(configMaps).keySet()) {
                if (!allowed.contains(variable)) {
                    problems.add(container + " sets " + variable + ", which " + container.name() + " does not read");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldListOnlyVariablesTheCodeStillReads() throws IOException {
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, ServiceEnvironment.Service> entry : environment.services().entrySet()) {
            String sources = mainSources(entry.getValue().modules());
            for (ServiceEnvironment.Variable variable : environment.variablesOf(entry.getKey())) {
                String name = variable.name().endsWith("_FILE") ? variable.name().substring(0, variable.name().length() - 5) : variable.name();
                boolean found = switch (variable.source()) {
                    case "code" -> sources.contains("\"" + name + "\"");
                    case "logback" -> sources.contains("${" + name);
                    default -> true;
                };
                if (!found) {
                    stale.add(entry.getKey() + ": " + variable.name() + " (" + variable.source() + ")");
                }
            }
        }
        assertThat(stale).as("variables in service-environment.yaml that the code no longer reads").isEmpty();
    }

    @Test
    void shouldListEveryVariableTheCodeReads() throws IOException {
        Pattern variable = Pattern.compile("\"((?:KAFKA|SCHEMA|HOSTKEY|HANDLER|POLLER|PROJECTOR|SAGA|ADMISSION|TOPIC|SEALING|STEP)_[A-Z0-9_]*[A-Z0-9])\"");
        Set<String> unlisted = new TreeSet<>();
        Set<String> everyListed = new TreeSet<>();
        for (String service : environment.services().keySet()) {
            Set<String> listed = environment.allowedFor(service);
            everyListed.addAll(listed);
            // The service's own modules; the shared ones (contracts, runtime) are checked against every service below.
            List<String> own = environment.services().get(service).modules().stream().filter(m -> !SHARED_MODULES.contains(m)).toList();
            Matcher m = variable.matcher(mainSources(own));
            while (m.find()) {
                if (!listed.contains(m.group(1)) && !m.group(1).equals("HOSTKEY_ACCOUNT_")) {
                    unlisted.add(service + ": " + m.group(1));
                }
            }
        }
        Matcher shared = variable.matcher(mainSources(SHARED_MODULES));
        while (shared.find()) {
            if (!everyListed.contains(shared.group(1))) {
                unlisted.add("shared: " + shared.group(1));
            }
        }
        assertThat(unlisted).as("variables the code reads that service-environment.yaml (and so docs/configuration.md) lacks")
                .isEmpty();
    }

    @Test
    void shouldDocumentEveryVariableInTheConfigurationReference() throws IOException {
        String doc = Files.readString(CONFIGURATION_DOC);
        Set<String> undocumented = new TreeSet<>();
        environment.services().keySet().forEach(service -> environment.variablesOf(service).stream()
                .map(ServiceEnvironment.Variable::name)
                .filter(name -> !isDocumented(doc, name))
                .forEach(undocumented::add));
        assertThat(undocumented).as("variables missing from docs/configuration.md").isEmpty();
    }

    @Test
    void shouldMountEveryFileAVariableNames() {
        Map<String, Map<String, String>> configMaps = new HashMap<>();
        of("ConfigMap").forEach(m -> configMaps.put(m.name(), strings(m.doc().path("data"))));
        List<String> problems = new ArrayList<>();
        for (Container container : containers()) {
            List<String> mounts = container.mountPaths();
            container.environment(configMaps).forEach((variable, value) -> {
                for (String path : absolutePaths(value)) {
                    if (mounts.stream().noneMatch(mount -> path.startsWith(mount + "/") || path.equals(mount))) {
                        problems.add(container + ": " + variable + " names " + path + ", under no volume mount " + mounts);
                    }
                }
            });
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldProbeAndAnnounceThePortTheServiceListensOn() {
        Map<String, Map<String, String>> configMaps = new HashMap<>();
        of("ConfigMap").forEach(m -> configMaps.put(m.name(), strings(m.doc().path("data"))));
        for (Container container : containers()) {
            JsonNode http = null;
            for (JsonNode port : container.spec().path("ports")) {
                if (port.path("name").asText().equals("http")) {
                    http = port;
                }
            }
            assertThat(http).as("%s has a port named http", container).isNotNull();
            int port = http.path("containerPort").asInt();
            Map<String, String> env = container.environment(configMaps);
            String configured = env.entrySet().stream().filter(e -> e.getKey().endsWith("_HTTP_PORT")).map(Map.Entry::getValue)
                    .findFirst().orElse(null);
            assertThat(configured).as("%s sets its *_HTTP_PORT", container).isEqualTo(String.valueOf(port));
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(container.spec().path(probe).path("httpGet").path("port").asText()).as("%s %s", container, probe).isEqualTo("http");
            }
            assertThat(container.workload().doc().path("spec").path("template").path("metadata").path("annotations")
                    .path("prometheus.io/port").asText()).as("%s scrape port", container).isEqualTo(String.valueOf(port));
        }
    }

    @Test
    void shouldGiveEveryWorkloadADisruptionBudget() {
        List<Manifest> budgets = of("PodDisruptionBudget");
        for (Manifest workload : workloads()) {
            Map<String, String> podLabels = strings(workload.doc().path("spec").path("template").path("metadata").path("labels"));
            assertThat(budgets).as("a PodDisruptionBudget selecting the pods of %s", workload)
                    .anyMatch(b -> podLabels.entrySet().containsAll(strings(b.doc().path("spec").path("selector").path("matchLabels")).entrySet()));
        }
    }

    @Test
    void shouldGiveTheProjectorAHeadlessServiceThatResolvesBeforeItIsReady() {
        for (Manifest statefulSet : of("StatefulSet")) {
            String serviceName = statefulSet.doc().path("spec").path("serviceName").asText();
            Manifest service = of("Service").stream().filter(s -> s.name().equals(serviceName)).findFirst().orElseThrow(
                    () -> new AssertionError(statefulSet + " names the missing Service " + serviceName));
            assertThat(service.doc().path("spec").path("clusterIP").asText()).isEqualTo("None");
            assertThat(service.doc().path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
        }
    }

    @Test
    void shouldApplyEveryManifestButTheExamplesAndOptionalOnes() throws IOException {
        JsonNode kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> expected = new TreeSet<>();
        try (Stream<Path> files = Files.list(K8S)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml") && !n.contains("example"))
                    .forEach(expected::add);
        }
        assertThat(listed).isEqualTo(expected);
    }

    @Test
    void shouldSetEveryVariableAServiceRequires() {
        Map<String, Map<String, String>> configMaps = new HashMap<>();
        of("ConfigMap").forEach(m -> configMaps.put(m.name(), strings(m.doc().path("data"))));
        List<String> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Container container : containers()) {
            ServiceEnvironment.Service service = environment.services().get(container.name());
            if (service == null) {
                continue; // shouldSetOnlyVariablesTheServicesRead names it
            }
            seen.add(container.name());
            Map<String, String> env = container.environment(configMaps);
            for (String variable : service.required()) {
                if (!env.containsKey(variable) && !env.containsKey(variable + "_FILE")) {
                    problems.add(container + " does not set " + variable + ", without which " + container.name() + " does not start");
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(seen).as("a container of every service").containsExactlyInAnyOrderElementsOf(environment.services().keySet());
        assertThat(environment.services().get("state-projector").required()).contains("STEP_AUTH_KEYS");
        assertThat(environment.services().get("command-handler").required()).contains("STEP_AUTH_KEYS");
    }

    @Test
    void shouldListEveryRequiredVariableAsRequired() throws IOException {
        Pattern required = Pattern.compile("\\brequired\\(\"([A-Z][A-Z0-9_]*)\"");
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ServiceEnvironment.Service> entry : environment.services().entrySet()) {
            ServiceEnvironment.Service service = entry.getValue();
            Set<String> listed = new TreeSet<>(service.required());
            listed.addAll(service.requiredOnlyWhen());
            Set<String> readable = environment.allowedFor(entry.getKey());
            listed.stream().filter(v -> !readable.contains(v))
                    .forEach(v -> problems.add(entry.getKey() + ": " + v + " is required but not among its variables"));
            String sources = mainSources(service.modules());
            listed.stream().filter(v -> !sources.contains("\"" + v + "\""))
                    .forEach(v -> problems.add(entry.getKey() + ": " + v + " is listed as required but the code no longer reads it"));
            List<String> own = service.modules().stream().filter(m -> !m.equals("schemas")).toList();
            Matcher m = required.matcher(mainSources(own));
            while (m.find()) {
                if (!listed.contains(m.group(1))) {
                    problems.add(entry.getKey() + ": the code requires " + m.group(1)
                            + ", which service-environment.yaml lists under neither required nor requiredOnlyWhen");
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldLetOnlyTheProjectorWriteStepsAndOnlyTheHandlerReadThem() {
        Map<String, Set<Acl>> users = kafkaUsers();
        assertThat(users).containsKeys("state-projector", "command-handler", "stage-poller", "upstream", "billing", "operators");

        assertThat(users.entrySet().stream().filter(u -> may(u.getValue(), "topic", ReinstallTopics.STEPS, "Write")).map(Map.Entry::getKey))
                .as("users that may write %s", ReinstallTopics.STEPS).containsExactly("state-projector");
        assertThat(users.entrySet().stream().filter(u -> may(u.getValue(), "topic", ReinstallTopics.STEPS, "Read")).map(Map.Entry::getKey))
                .as("users that may read %s", ReinstallTopics.STEPS).containsExactly("command-handler");

        Set<Acl> handler = users.get("command-handler");
        assertThat(may(handler, "topic", ReinstallTopics.REQUESTS, "Write")).as("handler writes requests").isFalse();
        assertThat(may(handler, "topic", ReinstallTopics.STEPS, "Write")).as("handler writes steps").isFalse();
        assertThat(may(handler, "topic", ReinstallTopics.REQUESTS, "Read")).as("handler reads requests").isFalse();
        for (String topic : List.of(ReinstallTopics.EVENTS, ReinstallTopics.INTENTS, ReinstallTopics.DEAD_LETTERS)) {
            assertThat(may(handler, "topic", topic, "Write") && may(handler, "topic", topic, "Describe"))
                    .as("handler writes %s (its transaction)", topic).isTrue();
        }
        assertThat(may(handler, "topic", ReinstallTopics.INTENTS, "Read")).as("handler reloads its intents").isTrue();

        Set<Acl> projector = users.get("state-projector");
        for (String operation : List.of("Read", "Write", "Describe")) {
            assertThat(may(projector, "topic", ReinstallTopics.REQUESTS, operation))
                    .as("projector %s %s (the dashboard's cancel and release)", operation, ReinstallTopics.REQUESTS).isTrue();
        }
        assertThat(may(projector, "topic", ReinstallTopics.STEPS, "Read")).as("projector reads steps").isFalse();
        assertThat(may(projector, "topic", "reinstall-state-projector-reinstall-requests-by-server-repartition", "Write"))
                .as("projector writes its repartition topic").isTrue();
        assertThat(users.values().stream().flatMap(Set::stream).filter(a -> a.resource().equals("topic")))
                .as("ACLs on the removed reinstall-commands topic").noneMatch(a -> a.name().startsWith("reinstall-commands"));
    }

    @Test
    void shouldGiveIntegratorsExactlyTheDocumentedRights() {
        Map<String, Set<Acl>> users = kafkaUsers();
        assertThat(users.get("upstream")).containsExactlyInAnyOrder(
                new Acl("topic", ReinstallTopics.REQUESTS, "literal", "Write"),
                new Acl("topic", ReinstallTopics.REQUESTS, "literal", "Describe"),
                new Acl("cluster", CLUSTER, "literal", "IdempotentWrite"));
        assertThat(users.get("billing")).containsExactlyInAnyOrder(
                new Acl("topic", ReinstallTopics.COMPLETIONS, "literal", "Read"),
                new Acl("topic", ReinstallTopics.COMPLETIONS, "literal", "Describe"),
                new Acl("group", "billing", "prefix", "Read"));
        assertThat(users.get("operators")).as("the CLI writes requests and reads the projector, no topic").containsExactlyInAnyOrder(
                new Acl("topic", ReinstallTopics.REQUESTS, "literal", "Write"),
                new Acl("topic", ReinstallTopics.REQUESTS, "literal", "Describe"),
                new Acl("cluster", CLUSTER, "literal", "IdempotentWrite"));
        for (String integrator : List.of("upstream", "billing", "operators")) {
            assertThat(may(users.get(integrator), "topic", ReinstallTopics.DEAD_LETTERS, "Read"))
                    .as("%s reads the dead letters (original bytes)", integrator).isFalse();
        }
    }

    @Test
    void shouldMountTheStepKeysOnTheProjectorAndTheHandlerOnly() {
        Map<String, Map<String, String>> configMaps = new HashMap<>();
        of("ConfigMap").forEach(m -> configMaps.put(m.name(), strings(m.doc().path("data"))));
        Map<String, Set<String>> stepKeySecrets = new HashMap<>();
        for (Container container : containers()) {
            Set<String> secrets = new TreeSet<>();
            JsonNode volumes = container.workload().doc().path("spec").path("template").path("spec").path("volumes");
            for (JsonNode mount : container.spec().path("volumeMounts")) {
                for (JsonNode volume : volumes) {
                    if (volume.path("name").asText().equals(mount.path("name").asText()) && volume.has("secret")) {
                        secrets.add(volume.path("secret").path("secretName").asText());
                    }
                }
            }
            stepKeySecrets.put(container.name(), secrets);
            Map<String, String> env = container.environment(configMaps);
            boolean signsOrVerifies = container.name().equals("state-projector") || container.name().equals("command-handler");
            assertThat(secrets.contains("reinstall-step-keys")).as("%s mounts reinstall-step-keys", container).isEqualTo(signsOrVerifies);
            assertThat(env.containsKey("STEP_AUTH_KEYS")).as("%s sets STEP_AUTH_KEYS", container).isEqualTo(signsOrVerifies);
        }
        Map<String, String> projector = containers().stream().filter(c -> c.name().equals("state-projector")).findFirst()
                .orElseThrow().environment(configMaps);
        String signingKey = projector.get("STEP_AUTH_SIGNING_KEY");
        assertThat(signingKey).as("the projector's signing key id").isNotBlank();
        assertThat(projector.get("STEP_AUTH_KEYS")).as("the signing key is among the projector's keys").contains(signingKey + "=");
        String handlerKeys = containers().stream().filter(c -> c.name().equals("command-handler")).findFirst()
                .orElseThrow().environment(configMaps).get("STEP_AUTH_KEYS");
        assertThat(handlerKeys).as("the handlers verify the key the projector signs with").contains(signingKey + "=");
        Manifest example = manifests.stream().filter(m -> m.kind().equals("Secret") && m.name().equals("reinstall-step-keys"))
                .findFirst().orElseThrow(() -> new AssertionError("secrets.example.yaml documents no reinstall-step-keys"));
        assertThat(example.doc().path("stringData").has(signingKey + ".step.key")).as("the example Secret holds %s.step.key", signingKey)
                .isTrue();
    }

    @Test
    void shouldChartOnlyDocumentedMetricsOnTheDashboard() throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        String doc = Files.readString(CONFIGURATION_DOC);
        Pattern metric = Pattern.compile("\\b((?:reinstalls?|hostkey|command_handler|stage_poller|state_projector|kafka|jvm)_[a-z0-9_]+)");
        Set<String> charted = new TreeSet<>();
        List<String> emptyPanels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            if (!panel.path("targets").elements().hasNext()) {
                emptyPanels.add(panel.path("title").asText());
            }
            for (JsonNode target : panel.path("targets")) {
                Matcher m = metric.matcher(target.path("expr").asText());
                while (m.find()) {
                    charted.add(m.group(1));
                }
            }
        }
        assertThat(emptyPanels).as("panels without a query").isEmpty();
        assertThat(charted).as("metrics on the dashboard").isNotEmpty();
        Set<String> undocumented = new TreeSet<>();
        for (String name : charted) {
            String base = name.replaceAll("_(bucket|count|sum)$", "");
            if (!doc.contains("`" + name) && !doc.contains("`" + base)) {
                undocumented.add(name);
            }
        }
        assertThat(undocumented).as("dashboard metrics not in docs/configuration.md").isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    /** One granted operation of a KafkaUser; {@code name} is {@link #CLUSTER} for the cluster. */
    record Acl(String resource, String name, String patternType, String operation) {}

    /** Every KafkaUser by name, with its ACLs (allow only: a deny would need its own assertions). */
    private static Map<String, Set<Acl>> kafkaUsers() {
        Map<String, Set<Acl>> users = new LinkedHashMap<>();
        for (Manifest user : of("KafkaUser")) {
            Set<Acl> acls = new LinkedHashSet<>();
            for (JsonNode acl : user.doc().path("spec").path("authorization").path("acls")) {
                assertThat(acl.path("type").asText("allow")).as("%s: only allow rules", user).isEqualTo("allow");
                JsonNode resource = acl.path("resource");
                String type = resource.path("type").asText();
                String name = type.equals("cluster") ? CLUSTER : resource.path("name").asText();
                String pattern = resource.path("patternType").asText("literal");
                JsonNode operations = acl.has("operations") ? acl.path("operations") : JSON.createArrayNode().add(acl.path("operation"));
                operations.forEach(op -> acls.add(new Acl(type, name, pattern, op.asText())));
            }
            assertThat(users.put(user.name(), acls)).as("one KafkaUser named %s", user.name()).isNull();
        }
        return users;
    }

    /**
     * Whether {@code acls} allow {@code operation} on the named resource, as Kafka's authorizer
     * decides: literal names (or *) and prefixes match, All allows everything, and Read, Write,
     * Delete and Alter imply Describe.
     */
    private static boolean may(Set<Acl> acls, String resource, String name, String operation) {
        return acls.stream().anyMatch(acl -> acl.resource().equals(resource)
                && (acl.name().equals("*") || (acl.patternType().equals("prefix") ? name.startsWith(acl.name()) : name.equals(acl.name())))
                && (acl.operation().equals(operation) || acl.operation().equals("All")
                        || (operation.equals("Describe") && Set.of("Read", "Write", "Delete", "Alter").contains(acl.operation()))));
    }

    /** Documented as {@code `NAME`}, or as {@code `BASE[_FILE]`} for {@code NAME} = {@code BASE} or {@code BASE_FILE}. */
    private static boolean isDocumented(String doc, String name) {
        String base = name.endsWith("_FILE") ? name.substring(0, name.length() - "_FILE".length()) : name;
        return doc.contains("`" + name + "`") || doc.contains("`" + base + "[_FILE]`");
    }

    private static List<Manifest> of(String kind) {
        return manifests.stream().filter(m -> m.kind().equals(kind)).toList();
    }

    private static List<Manifest> workloads() {
        return manifests.stream().filter(m -> m.kind().equals("Deployment") || m.kind().equals("StatefulSet")).toList();
    }

    /** One container of a workload. */
    record Container(Manifest workload, JsonNode spec) {
        String name() {
            return spec.path("name").asText();
        }

        /** Every variable it gets, from {@code envFrom} ConfigMaps and {@code env}, with its value (null if from a reference). */
        Map<String, String> environment(Map<String, Map<String, String>> configMaps) {
            Map<String, String> env = new LinkedHashMap<>();
            for (JsonNode source : spec.path("envFrom")) {
                String configMap = source.path("configMapRef").path("name").asText(null);
                assertThat(configMap).as("%s: only ConfigMaps feed envFrom (secrets are mounted as files)", this).isNotNull();
                assertThat(configMaps).as("%s reads the missing ConfigMap %s", this, configMap).containsKey(configMap);
                env.putAll(configMaps.get(configMap));
            }
            for (JsonNode variable : spec.path("env")) {
                env.put(variable.path("name").asText(), variable.path("value").asText(null));
            }
            return env;
        }

        List<String> mountPaths() {
            List<String> paths = new ArrayList<>();
            spec.path("volumeMounts").forEach(m -> paths.add(m.path("mountPath").asText()));
            return paths;
        }

        @Override
        public String toString() {
            return workload + " container " + name();
        }
    }

    private static List<Container> containers() {
        List<Container> containers = new ArrayList<>();
        for (Manifest workload : workloads()) {
            workload.doc().path("spec").path("template").path("spec").path("containers")
                    .forEach(c -> containers.add(new Container(workload, c)));
        }
        assertThat(containers).isNotEmpty();
        return containers;
    }

    /** Absolute paths in a value: the value itself, or the paths of a {@code keyId=path,...} list. */
    private static List<String> absolutePaths(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> paths = new ArrayList<>();
        for (String part : value.split(",")) {
            String candidate = part.contains("=") ? part.substring(part.indexOf('=') + 1).strip() : part.strip();
            if (candidate.startsWith("/")) {
                paths.add(candidate);
            }
        }
        return paths;
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new LinkedHashMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    /** The main sources and resources of some modules, as one text to search. */
    private static String mainSources(List<String> modules) throws IOException {
        StringBuilder all = new StringBuilder();
        for (String module : modules) {
            Path main = REPOSITORY.resolve(module).resolve("src/main");
            try (Stream<Path> files = Files.walk(main)) {
                files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".xml"))
                        .forEach(p -> {
                            try {
                                all.append(Files.readString(p)).append('\n');
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
            }
        }
        return all.toString();
    }

    /** service-environment.yaml: which variables each service reads. */
    record ServiceEnvironment(Map<String, Group> groups, Map<String, Service> services) {

        record Variable(String name, String source) {}

        record Group(String source, List<String> variables) {}

        record Service(List<String> modules, List<String> groups, List<String> variables, List<String> interpolationOnly,
                List<String> required, List<String> requiredOnlyWhen) {}

        static ServiceEnvironment read(JsonNode root) {
            Map<String, Group> groups = new LinkedHashMap<>();
            root.path("groups").properties().forEach(e -> groups.put(e.getKey(),
                    new Group(e.getValue().path("source").asText(), texts(e.getValue().path("variables")))));
            Map<String, Service> services = new LinkedHashMap<>();
            root.path("services").properties().forEach(e -> services.put(e.getKey(), new Service(
                    texts(e.getValue().path("modules")), texts(e.getValue().path("groups")),
                    texts(e.getValue().path("variables")), texts(e.getValue().path("interpolationOnly")),
                    texts(e.getValue().path("required")), texts(e.getValue().path("requiredOnlyWhen")))));
            return new ServiceEnvironment(groups, services);
        }

        private static List<String> texts(JsonNode array) {
            return new ObjectMapper().convertValue(array.isMissingNode() ? JSON.createArrayNode() : array, new TypeReference<>() {});
        }

        /** What the service reads, each with where it is read ({@code code}, {@code logback}, {@code none}). */
        List<Variable> variablesOf(String service) {
            Service s = services.get(service);
            List<Variable> variables = new ArrayList<>();
            for (String group : s.groups()) {
                Group g = groups.get(group);
                assertThat(g).as("service-environment.yaml: %s names the unknown group %s", service, group).isNotNull();
                g.variables().forEach(v -> variables.add(new Variable(v, g.source())));
            }
            s.variables().forEach(v -> variables.add(new Variable(v, "code")));
            return variables;
        }

        /** What a manifest may set on the service's container, or null for an unknown service. */
        Set<String> allowedFor(String service) {
            if (!services.containsKey(service)) {
                return null;
            }
            Set<String> allowed = new LinkedHashSet<>();
            variablesOf(service).forEach(v -> allowed.add(v.name()));
            allowed.addAll(services.get(service).interpolationOnly());
            return allowed;
        }
    }
}

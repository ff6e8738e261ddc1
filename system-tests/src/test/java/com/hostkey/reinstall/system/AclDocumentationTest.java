package com.hostkey.reinstall.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.deploy.KafkaUserAcls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The README's "Topic ACLs" section says exactly what {@code deploy/k8s/kafka-users.yaml} grants,
 * principal by principal, resource by resource, operation by operation: both its table and its
 * {@code kafka-acls.sh} example (for clusters without Strimzi). The manifests are the one source
 * ({@code AuthorizingBrokerIT} runs the pipeline on a broker with exactly their ACLs); this keeps
 * the documentation from drifting from them.
 *
 * <p>The table's "allow" cells are sentences {@code <operations>: <resources>.}, for example
 * {@code Read, Describe: `reinstall-steps`. Write, Describe: transactional ids prefixed `x`. IdempotentWrite: cluster.}
 * where a resource is {@code `topic`}, {@code topics prefixed `p`}, {@code group `g`},
 * {@code groups prefixed `p`}, {@code transactional id `t`}, {@code transactional ids prefixed `p`}
 * or {@code cluster}. Anything else in a cell fails the test rather than being skipped.
 */
class AclDocumentationTest {

    private static final Path README = Path.of("..", "README.md");
    private static final Path KAFKA_USERS = Path.of("..", "deploy", "k8s", "kafka-users.yaml");
    private static final String SECTION = "### Topic ACLs";

    /** One allowed operation on one resource pattern. */
    record Grant(String resource, String name, String pattern, String operation) implements Comparable<Grant> {
        @Override
        public int compareTo(Grant other) {
            return toString().compareTo(other.toString());
        }

        @Override
        public String toString() {
            return operation + " on " + resource + (pattern.equals("prefixed") ? " prefixed " : " ") + name;
        }
    }

    @Test
    void tableAllowsExactlyWhatTheKafkaUsersGrant() throws IOException {
        Map<String, Set<Grant>> documented = table(section());
        Map<String, Set<Grant>> granted = manifest();
        assertSame(documented, granted, "the README's Topic ACLs table");
    }

    @Test
    void kafkaAclsExampleGrantsExactlyWhatTheKafkaUsersGrant() throws IOException {
        Map<String, Set<Grant>> example = kafkaAclsExample(section());
        Map<String, Set<Grant>> granted = manifest();
        assertSame(example, granted, "the README's kafka-acls.sh example");
    }

    @Test
    void tableParserRefusesWhatItDoesNotUnderstand() {
        assertThat(allowCell("Read: `a`, group `g`. Write, Describe: transactional ids prefixed `t-`. IdempotentWrite: cluster"))
                .containsExactlyInAnyOrder(
                        new Grant("topic", "a", "literal", "Read"),
                        new Grant("group", "g", "literal", "Read"),
                        new Grant("transactional-id", "t-", "prefixed", "Write"),
                        new Grant("transactional-id", "t-", "prefixed", "Describe"),
                        new Grant("cluster", KafkaUserAcls.CLUSTER_NAME, "literal", "IdempotentWrite"));
        for (String bad : List.of("Read `a`", "Read: the topic `a`", "Reads: `a`", "Read: `a` and `b`", "Read:")) {
            try {
                allowCell(bad);
            } catch (IllegalArgumentException expected) {
                continue;
            }
            throw new AssertionError("accepted '" + bad + "'");
        }
    }

    private static void assertSame(Map<String, Set<Grant>> documented, Map<String, Set<Grant>> granted, String what) {
        assertThat(documented.keySet()).as("the principals of %s (those of %s)", what, KAFKA_USERS)
                .containsExactlyInAnyOrderElementsOf(granted.keySet());
        for (String principal : granted.keySet()) {
            assertThat(documented.get(principal))
                    .as("what %s allows %s (%s grants it %s)", what, principal, KAFKA_USERS, granted.get(principal))
                    .containsExactlyInAnyOrderElementsOf(granted.get(principal));
        }
    }

    /** What kafka-users.yaml grants, by user name. */
    private static Map<String, Set<Grant>> manifest() {
        Map<String, Set<Grant>> users = new TreeMap<>();
        KafkaUserAcls.read(KAFKA_USERS).forEach((user, bindings) -> {
            Set<Grant> grants = new TreeSet<>();
            for (AclBinding binding : bindings) {
                assertThat(binding.entry().permissionType()).as("%s: only allow rules are documented", binding)
                        .isEqualTo(AclPermissionType.ALLOW);
                assertThat(binding.entry().host()).as("%s: from any host", binding).isEqualTo("*");
                grants.add(new Grant(resource(binding.pattern().resourceType()), binding.pattern().name(),
                        binding.pattern().patternType() == PatternType.PREFIXED ? "prefixed" : "literal",
                        strimziName(binding.entry().operation().name())));
            }
            users.put(user, grants);
        });
        return users;
    }

    private static String section() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf(SECTION);
        assertThat(start).as("a '%s' section in %s", SECTION, README).isNotNegative();
        // Up to the next heading (a line starting with '#' outside a code block).
        Matcher next = Pattern.compile("^#{1,6} ", Pattern.MULTILINE).matcher(readme);
        int end = readme.length();
        boolean inCode = false;
        int from = start + SECTION.length();
        for (String line : readme.substring(from).split("\n", -1)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode && next.reset(line).find()) {
                end = readme.indexOf("\n" + line, from) + 1;
                break;
            }
        }
        return readme.substring(start, end);
    }

    // --- the table -----------------------------------------------------------------------------

    private static Map<String, Set<Grant>> table(String section) {
        List<String> lines = section.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("\\|\\s*principal\\s*\\|\\s*allow\\s*\\|.*")) {
                header = i;
                break;
            }
        }
        assertThat(header).as("a table whose columns start with | principal | allow |").isNotNegative();
        Map<String, Set<Grant>> principals = new TreeMap<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|");
            // cells[0] is the empty text before the first pipe.
            Matcher principal = Pattern.compile("`([^`]+)`").matcher(cells[1]);
            assertThat(principal.find()).as("a `principal` in row '%s'", lines.get(i)).isTrue();
            Set<Grant> previous = principals.put(principal.group(1), new TreeSet<>(allowCell(cells[2])));
            assertThat(previous).as("one row for %s", principal.group(1)).isNull();
        }
        return principals;
    }

    private static final Pattern SENTENCE = Pattern.compile("\\s*([A-Za-z]+(?:,\\s*[A-Za-z]+)*):\\s*(.+)");
    private static final Pattern RESOURCE = Pattern.compile(
            "(?:(topics prefixed|group|groups prefixed|transactional id|transactional ids prefixed)\\s+)?`([^`]+)`|(cluster)");

    /** The grants of one "allow" cell. */
    static List<Grant> allowCell(String cell) {
        List<Grant> grants = new ArrayList<>();
        for (String sentence : cell.strip().split("\\.(\\s+|$)")) {
            if (sentence.isBlank()) {
                continue;
            }
            Matcher m = SENTENCE.matcher(sentence);
            if (!m.matches()) {
                throw new IllegalArgumentException("Not '<operations>: <resources>': '" + sentence + "'");
            }
            List<String> operations = List.of(m.group(1).split(",\\s*"));
            operations.forEach(AclDocumentationTest::checkOperation);
            for (String item : m.group(2).split(",\\s*")) {
                Matcher r = RESOURCE.matcher(item.strip());
                if (!r.matches()) {
                    throw new IllegalArgumentException("Not a resource: '" + item + "' in '" + sentence + "'");
                }
                String resource;
                String name;
                String pattern = "literal";
                if (r.group(3) != null) {
                    resource = "cluster";
                    name = KafkaUserAcls.CLUSTER_NAME;
                } else {
                    String kind = r.group(1) == null ? "topic" : r.group(1);
                    name = r.group(2);
                    if (kind.endsWith("prefixed")) {
                        pattern = "prefixed";
                    }
                    resource = kind.startsWith("topic") ? "topic" : kind.startsWith("group") ? "group" : "transactional-id";
                }
                for (String operation : operations) {
                    grants.add(new Grant(resource, name, pattern, operation));
                }
            }
        }
        return grants;
    }

    // --- the kafka-acls.sh example ---------------------------------------------------------------

    private static Map<String, Set<Grant>> kafkaAclsExample(String section) {
        Matcher block = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(block.find()).as("a bash block in the Topic ACLs section").isTrue();
        String script = block.group(1).replace("\\\n", " ");
        Map<String, Set<Grant>> principals = new TreeMap<>();
        for (String line : script.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            assertThat(line).as("every line of the example is one kafka-acls.sh command").startsWith("kafka-acls.sh ");
            Command command = Command.parse(line);
            principals.computeIfAbsent(command.principal, p -> new TreeSet<>()).addAll(command.grants());
        }
        return principals;
    }

    /** One {@code kafka-acls.sh --add} command. */
    private static final class Command {
        String principal;
        String pattern = "literal";
        final List<String> operations = new ArrayList<>();
        final Map<String, List<String>> resources = new LinkedHashMap<>();

        static Command parse(String line) {
            Command command = new Command();
            String[] tokens = line.split("\\s+");
            boolean add = false;
            for (int i = 1; i < tokens.length; i++) {
                String token = tokens[i];
                switch (token) {
                    case "..." -> { }
                    case "--bootstrap-server", "--command-config" -> i++;
                    case "--add" -> add = true;
                    case "--allow-principal" -> {
                        assertThat(command.principal).as("one principal in '%s'", line).isNull();
                        String principal = tokens[++i];
                        assertThat(principal).as("a User principal in '%s'", line).startsWith("User:");
                        command.principal = principal.substring("User:".length());
                    }
                    case "--operation" -> command.operations.add(checkOperation(tokens[++i]));
                    case "--resource-pattern-type" -> {
                        command.pattern = tokens[++i];
                        assertThat(command.pattern).as("pattern type in '%s'", line).isIn("literal", "prefixed");
                    }
                    case "--topic", "--group", "--transactional-id" ->
                            command.resources.computeIfAbsent(token.substring(2), r -> new ArrayList<>()).add(tokens[++i]);
                    case "--cluster" -> command.resources.computeIfAbsent("cluster", r -> new ArrayList<>()).add(KafkaUserAcls.CLUSTER_NAME);
                    default -> throw new AssertionError("kafka-acls.sh option not understood: '" + token + "' in '" + line + "'");
                }
            }
            assertThat(add).as("--add in '%s'", line).isTrue();
            assertThat(command.principal).as("--allow-principal in '%s'", line).isNotNull();
            assertThat(command.operations).as("--operation in '%s'", line).isNotEmpty();
            // kafka-acls.sh refuses operations a resource type does not have: one type per command keeps that obvious.
            assertThat(command.resources).as("one resource type in '%s'", line).hasSize(1);
            return command;
        }

        List<Grant> grants() {
            List<Grant> grants = new ArrayList<>();
            resources.forEach((resource, names) -> {
                for (String name : names) {
                    for (String operation : operations) {
                        grants.add(new Grant(resource, name, resource.equals("cluster") ? "literal" : pattern, operation));
                    }
                }
            });
            return grants;
        }
    }

    // --- names -----------------------------------------------------------------------------------

    private static String checkOperation(String operation) {
        KafkaUserAcls.operation(operation);
        if (!operation.equals(strimziName(KafkaUserAcls.operation(operation).name()))) {
            throw new IllegalArgumentException("Operation not spelled as Kafka and Strimzi spell it: '" + operation + "'");
        }
        return operation;
    }

    /** IDEMPOTENT_WRITE as IdempotentWrite. */
    private static String strimziName(String constant) {
        StringBuilder name = new StringBuilder();
        for (String word : constant.split("_")) {
            name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
        }
        return name.toString();
    }

    private static String resource(ResourceType type) {
        return switch (type) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactional-id";
            case CLUSTER -> "cluster";
            default -> throw new IllegalArgumentException("Resource type not documented: " + type);
        };
    }
}

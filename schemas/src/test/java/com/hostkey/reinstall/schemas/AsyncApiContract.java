package com.hostkey.reinstall.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaFormatter;
import org.apache.avro.SchemaNormalization;

/**
 * What {@code docs/asyncapi.yaml} must say to match the Avro contracts, as a list of problems (empty
 * when it matches):
 *
 * <ul>
 *   <li>every public topic ({@link ReinstallTopics#PUBLIC_VALUE_SCHEMAS}, subject {@code <topic>-value})
 *       is the address of a channel, every channel's address is a public topic (and its Kafka
 *       binding's topic, if any, the same), and each channel has an operation;</li>
 *   <li>each such channel's messages have an Avro payload whose {@code $ref} names a file that stands
 *       alone (the AsyncAPI Avro parser resolves no named type from another file), defines the
 *       subject's record (its full name is the generated class's, its parsing form the same wire
 *       schema) and is exactly the record's source in {@code schemas/src/main/avro/<Name>.avsc} with
 *       the named types of {@code common/} written out in place ({@link #standaloneSource});</li>
 *   <li>the lists in the messages' descriptions name exactly what the schema has: a Markdown heading
 *       {@code #### Record.field} followed by items {@code - `NAME`: ...} lists the symbols of that
 *       field's enum, or the members of its union; the lists of {@link #REQUIRED_LISTS} must be there.
 *       A symbol or union member added to the schema without a line in the document is a problem, and
 *       so is a line naming one the schema does not have.</li>
 * </ul>
 * The field-level meaning stays in the .avsc {@code doc} strings; the document's lists say, for an
 * integrator, when each reason or outcome happens and what to do about it.
 */
final class AsyncApiContract {

    /** The document, from the schemas module's directory (where the build runs its tests). */
    static final Path DOCUMENT = Path.of("..", "docs", "asyncapi.yaml");
    static final Path AVRO_SOURCES = Path.of("src", "main", "avro");
    /** The lists an integrator acts on: each must be in the document, naming every member or symbol. */
    static final List<String> REQUIRED_LISTS = List.of(
            "ReinstallRequest.payload", "ReinstallCompletion.outcome", "ReinstallRejected.reason", "ReinstallFailed.kind");
    static final String AVRO_FORMAT_PREFIX = "application/vnd.apache.avro";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern LIST_HEADING = Pattern.compile("^#{1,6}\\s+([A-Z][A-Za-z0-9_]*)\\.([A-Za-z_][A-Za-z0-9_]*)\\s*$");
    private static final Pattern ANY_HEADING = Pattern.compile("^#{1,6}\\s.*");
    private static final Pattern LIST_ITEM = Pattern.compile("^- `([A-Za-z_][A-Za-z0-9_]*)`:");

    private final JsonNode document;
    private final Path directory;
    private final Path avroSources;

    private AsyncApiContract(JsonNode document, Path directory, Path avroSources) {
        this.document = document;
        this.directory = directory;
        this.avroSources = avroSources;
    }

    /** Reads {@code document}; its payload {@code $ref}s resolve against its directory. */
    static AsyncApiContract read(Path document, Path avroSources) {
        try {
            return new AsyncApiContract(YAML.readTree(document.toFile()), document.toAbsolutePath().getParent(), avroSources);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + document, e);
        }
    }

    /** Everything in which the document and {@code publicValueSchemas} (subject to schema) disagree. */
    List<String> problems(Map<String, Schema> publicValueSchemas) {
        List<String> problems = new ArrayList<>();
        Map<String, Schema> byTopic = new TreeMap<>();
        publicValueSchemas.forEach((subject, schema) -> byTopic.put(topicOf(subject), schema));
        Map<String, String> channelOfTopic = new LinkedHashMap<>();
        document.path("channels").properties().forEach(channel -> {
            JsonNode address = channel.getValue().get("address");
            if (address == null || !address.isTextual()) {
                problems.add("channel " + channel.getKey() + " has no address (the topic)");
            } else if (!byTopic.containsKey(address.asText())) {
                problems.add("channel " + channel.getKey() + " is topic " + address.asText()
                        + ", which is not a public topic (ReinstallTopics.PUBLIC_VALUE_SCHEMAS: " + byTopic.keySet() + ")");
            } else {
                channelOfTopic.put(address.asText(), channel.getKey());
            }
            JsonNode bindingTopic = channel.getValue().path("bindings").path("kafka").path("topic");
            if (!bindingTopic.isMissingNode() && address != null && !bindingTopic.asText().equals(address.asText())) {
                problems.add("channel " + channel.getKey() + ": its Kafka binding names topic " + bindingTopic.asText()
                        + ", its address " + address.asText());
            }
        });
        byTopic.forEach((topic, schema) -> {
            String channel = channelOfTopic.get(topic);
            if (channel == null) {
                problems.add("public topic " + topic + " (subject " + topic + "-value, " + schema.getFullName()
                        + ") has no channel in " + DOCUMENT.getFileName());
                return;
            }
            checkOperation(channel, problems);
            JsonNode messages = document.path("channels").path(channel).path("messages");
            if (messages.isEmpty()) {
                problems.add("channel " + channel + " (" + topic + ") has no message");
            }
            messages.properties().forEach(m -> checkMessage(channel, m.getKey(), resolve(m.getValue()), schema, problems));
        });
        return problems;
    }

    /**
     * Writes each public channel's payload file as {@link #standaloneSource} of its record: what to
     * run after a change of a public .avsc (AsyncApiContractTest does with {@code -Dasyncapi.regenerate=true}).
     */
    List<Path> writePayloadFiles(Map<String, Schema> publicValueSchemas) {
        List<Path> written = new ArrayList<>();
        publicValueSchemas.forEach((subject, schema) -> document.path("channels").properties().forEach(channel -> {
            if (!topicOf(subject).equals(channel.getValue().path("address").asText())) {
                return;
            }
            channel.getValue().path("messages").forEach(message -> payloadFile(resolve(message)).ifPresent(file -> {
                try {
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, render(standaloneSource(avroSources, schema.getName())));
                    written.add(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file, e);
                }
            }));
        }));
        return written;
    }

    /**
     * The record defined in {@code <sources>/<name>.avsc}, parsed after every named type of
     * {@code <sources>/common/} (as the Avro Maven plugin imports them), so that the named types it
     * uses are written out in place: a schema that stands alone.
     */
    static Schema standaloneSource(Path sources, String name) {
        Schema.Parser parser = new Schema.Parser();
        try (Stream<Path> common = Files.list(sources.resolve("common"))) {
            for (Path file : common.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
                parser.parse(file.toFile());
            }
            return parser.parse(sources.resolve(name + ".avsc").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Avro sources under " + sources, e);
        }
    }

    /** How a payload file is written: Avro's pretty JSON, one trailing newline. */
    static String render(Schema schema) {
        return SchemaFormatter.getInstance("json/pretty").format(schema) + "\n";
    }

    private void checkOperation(String channel, List<String> problems) {
        boolean operated = false;
        for (JsonNode operation : document.path("operations")) {
            operated |= ("#/channels/" + channel).equals(operation.path("channel").path("$ref").asText());
        }
        if (!operated) {
            problems.add("channel " + channel + " has no operation (send or receive)");
        }
    }

    private void checkMessage(String channel, String key, JsonNode message, Schema subjectSchema, List<String> problems) {
        String what = "message " + key + " of channel " + channel;
        JsonNode payload = message.path("payload");
        String format = payload.path("schemaFormat").asText("");
        if (!format.startsWith(AVRO_FORMAT_PREFIX)) {
            problems.add(what + ": payload schemaFormat is '" + format + "', not Avro (" + AVRO_FORMAT_PREFIX + "...)");
        }
        Optional<Path> file = payloadFile(message);
        if (file.isEmpty()) {
            problems.add(what + ": payload.schema has no $ref to an .avsc file");
        } else {
            checkPayloadFile(what, file.get(), subjectSchema, problems);
        }
        checkLists(what, message.path("description").asText(""), subjectSchema, problems);
    }

    private void checkPayloadFile(String what, Path file, Schema subjectSchema, List<String> problems) {
        String shown = directory.relativize(file).toString();
        if (!Files.isRegularFile(file)) {
            problems.add(what + ": payload file " + shown + " does not exist (write it with"
                    + " mvn -o -pl schemas test -Dtest=AsyncApiContractTest#documentSaysWhatTheAvroContractsSay -Dasyncapi.regenerate=true)");
            return;
        }
        Schema referenced;
        try {
            // A parser of its own: the file must define every named type it uses, as the AsyncAPI Avro parser needs.
            referenced = new Schema.Parser().parse(file.toFile());
        } catch (AvroRuntimeException e) {
            problems.add(what + ": payload file " + shown + " does not stand alone as an Avro schema: " + e.getMessage());
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (!referenced.getFullName().equals(subjectSchema.getFullName())) {
            problems.add(what + ": payload file " + shown + " defines " + referenced.getFullName()
                    + ", not the subject's record " + subjectSchema.getFullName());
            return;
        }
        if (!SchemaNormalization.toParsingForm(referenced).equals(SchemaNormalization.toParsingForm(subjectSchema))) {
            problems.add(what + ": payload file " + shown + " is another schema than the generated class "
                    + subjectSchema.getFullName() + " (parsing forms differ)");
        }
        String source = render(standaloneSource(avroSources, subjectSchema.getName()));
        try {
            if (!Files.readString(file).equals(source)) {
                problems.add(what + ": payload file " + shown + " is not " + avroSources.resolve(subjectSchema.getName() + ".avsc")
                        + " with common/ written out in place (stale after a schema change?): regenerate it with"
                        + " mvn -o -pl schemas test -Dtest=AsyncApiContractTest#documentSaysWhatTheAvroContractsSay -Dasyncapi.regenerate=true");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void checkLists(String what, String description, Schema subjectSchema, List<String> problems) {
        Map<String, List<String>> lists = lists(description);
        Map<String, Schema> records = records(subjectSchema);
        for (String required : REQUIRED_LISTS) {
            if (records.containsKey(required.substring(0, required.indexOf('.'))) && !lists.containsKey(required)) {
                problems.add(what + ": its description has no list '#### " + required + "'");
            }
        }
        lists.forEach((heading, listed) -> {
            String recordName = heading.substring(0, heading.indexOf('.'));
            String fieldName = heading.substring(heading.indexOf('.') + 1);
            Schema record = records.get(recordName);
            Schema.Field field = record == null ? null : record.getField(fieldName);
            if (field == null) {
                problems.add(what + ": lists " + heading + ", but " + subjectSchema.getName() + " has no such record field");
                return;
            }
            Optional<Listable> expected = listable(field.schema());
            if (expected.isEmpty()) {
                problems.add(what + ": lists " + heading + ", which is neither an enum nor a union");
                return;
            }
            Set<String> documented = new LinkedHashSet<>(listed);
            for (String name : expected.get().names()) {
                if (!documented.contains(name)) {
                    problems.add(what + ": " + expected.get().kind() + " " + name + " of " + heading
                            + " is not described under '#### " + heading + "'");
                }
            }
            for (String name : documented) {
                if (!expected.get().names().contains(name)) {
                    problems.add(what + ": '#### " + heading + "' lists " + name + ", which " + expected.get().kind()
                            + "s of the schema do not include (" + expected.get().names() + ")");
                }
            }
            if (documented.size() != listed.size()) {
                problems.add(what + ": '#### " + heading + "' lists a name twice: " + listed);
            }
        });
    }

    /** What a list must name: an enum's symbols, or a union's members (a null branch aside). */
    record Listable(String kind, List<String> names) {}

    private static Optional<Listable> listable(Schema type) {
        List<Schema> nonNull = type.isUnion()
                ? type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList()
                : List.of(type);
        if (nonNull.size() == 1 && nonNull.get(0).getType() == Schema.Type.ENUM) {
            return Optional.of(new Listable(nonNull.get(0).getName() + " symbol", nonNull.get(0).getEnumSymbols()));
        }
        if (nonNull.size() > 1) {
            return Optional.of(new Listable("union member", nonNull.stream().map(Schema::getName).toList()));
        }
        return Optional.empty();
    }

    /** The lists of a description: heading "Record.field" to the names of its items. */
    static Map<String, List<String>> lists(String description) {
        Map<String, List<String>> lists = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : description.split("\n", -1)) {
            Matcher heading = LIST_HEADING.matcher(line);
            if (heading.matches()) {
                current = lists.computeIfAbsent(heading.group(1) + "." + heading.group(2), h -> new ArrayList<>());
            } else if (ANY_HEADING.matcher(line).matches()) {
                current = null;
            } else if (current != null) {
                Matcher item = LIST_ITEM.matcher(line);
                if (item.find()) {
                    current.add(item.group(1));
                }
            }
        }
        return lists;
    }

    /** Every record reachable from {@code schema}, by simple name. */
    private static Map<String, Schema> records(Schema schema) {
        Map<String, Schema> records = new LinkedHashMap<>();
        collect(schema, records, new IdentityHashMap<>());
        return records;
    }

    private static void collect(Schema schema, Map<String, Schema> records, Map<Schema, Boolean> seen) {
        if (seen.put(schema, Boolean.TRUE) != null) {
            return;
        }
        switch (schema.getType()) {
            case RECORD -> {
                records.put(schema.getName(), schema);
                schema.getFields().forEach(f -> collect(f.schema(), records, seen));
            }
            case UNION -> schema.getTypes().forEach(t -> collect(t, records, seen));
            case ARRAY -> collect(schema.getElementType(), records, seen);
            case MAP -> collect(schema.getValueType(), records, seen);
            default -> { }
        }
    }

    private Optional<Path> payloadFile(JsonNode message) {
        JsonNode ref = message.path("payload").path("schema").path("$ref");
        if (!ref.isTextual() || ref.asText().startsWith("#")) {
            return Optional.empty();
        }
        return Optional.of(directory.resolve(ref.asText()).normalize());
    }

    /** Follows a local reference ({@code $ref: '#/components/...'}) to what it names. */
    private JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current.has("$ref") && current.get("$ref").asText().startsWith("#/") && hops < 10; hops++) {
            current = document.at(current.get("$ref").asText().substring(1));
        }
        return current;
    }

    private static String topicOf(String subject) {
        if (!subject.endsWith("-value")) {
            throw new IllegalArgumentException("not a value subject (TopicNameStrategy): " + subject);
        }
        return subject.substring(0, subject.length() - "-value".length());
    }
}

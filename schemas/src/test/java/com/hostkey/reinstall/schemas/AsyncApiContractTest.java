package com.hostkey.reinstall.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/asyncapi.yaml}, the contract integrators build from, says what the Avro contracts say
 * ({@link AsyncApiContract} states what is checked). The other tests doctor a copy of the document,
 * or the schemas, and show that the check notices. After a change of a public .avsc, regenerate the
 * payload files the document references with
 * {@code mvn -o -pl schemas test -Dtest=AsyncApiContractTest#documentSaysWhatTheAvroContractsSay -Dasyncapi.regenerate=true}.
 */
class AsyncApiContractTest {

    private static final Map<String, Schema> PUBLIC = ReinstallTopics.PUBLIC_VALUE_SCHEMAS;

    @TempDir
    Path copy;

    @BeforeEach
    void copyTheDocument() throws IOException {
        Files.copy(AsyncApiContract.DOCUMENT, copy.resolve("asyncapi.yaml"));
        Path avro = AsyncApiContract.DOCUMENT.resolveSibling("asyncapi").resolve("avro");
        Files.createDirectories(copy.resolve("asyncapi/avro"));
        try (Stream<Path> files = Files.list(avro)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve("asyncapi/avro").resolve(file.getFileName()));
            }
        }
    }

    @Test
    void documentSaysWhatTheAvroContractsSay() {
        AsyncApiContract contract = AsyncApiContract.read(AsyncApiContract.DOCUMENT, AsyncApiContract.AVRO_SOURCES);
        if (Boolean.getBoolean("asyncapi.regenerate")) {
            assertThat(contract.writePayloadFiles(PUBLIC)).as("payload files written").hasSize(PUBLIC.size());
        }
        assertThat(contract.problems(PUBLIC)).as("what docs/asyncapi.yaml gets wrong").isEmpty();
    }

    @Test
    void payloadFilesAreTheRecordsThemselves() {
        for (Schema schema : List.of(ReinstallRequest.getClassSchema(), ReinstallCompletion.getClassSchema())) {
            Schema source = AsyncApiContract.standaloneSource(AsyncApiContract.AVRO_SOURCES, schema.getName());
            assertThat(source.getFullName()).isEqualTo(schema.getFullName());
            assertThat(SchemaNormalization.toParsingForm(source)).as("the source of %s, its named types written out", schema.getName())
                    .isEqualTo(SchemaNormalization.toParsingForm(schema));
        }
    }

    @Test
    void shouldTellAPublicTopicWithoutAChannel() {
        Map<String, Schema> withInvoices = new HashMap<>(PUBLIC);
        withInvoices.put("reinstall-invoices-value", ReinstallCompletion.getClassSchema());

        assertThat(problemsOfCopy(withInvoices)).singleElement().asString()
                .contains("public topic reinstall-invoices").contains("has no channel");
    }

    @Test
    void shouldTellAChannelThatIsNoPublicTopic() throws IOException {
        doctor("address: reinstall-completions", "address: reinstall-steps");

        assertThat(problemsOfCopy(PUBLIC))
                .anySatisfy(p -> assertThat(p).contains("channel reinstallCompletions is topic reinstall-steps")
                        .contains("not a public topic"))
                .anySatisfy(p -> assertThat(p).contains("public topic reinstall-completions").contains("has no channel"));
    }

    @Test
    void shouldTellABindingOfAnotherTopic() throws IOException {
        doctor("topic: reinstall-requests", "topic: reinstall-request");

        assertThat(problemsOfCopy(PUBLIC)).singleElement().asString()
                .contains("channel reinstallRequests: its Kafka binding names topic reinstall-request, its address reinstall-requests");
    }

    @Test
    void shouldTellAnUndocumentedRejectionReason() {
        Map<String, Schema> withNewReason = new HashMap<>(PUBLIC);
        withNewReason.put(ReinstallTopics.COMPLETIONS + "-value", new Schema.Parser().parse(
                ReinstallCompletion.getClassSchema().toString().replace("\"UNKNOWN_ACCOUNT\"", "\"UNKNOWN_ACCOUNT\",\"TOO_MANY_CATS\"")));

        assertThat(problemsOfCopy(withNewReason))
                .anySatisfy(p -> assertThat(p).contains("RejectionReason symbol TOO_MANY_CATS of ReinstallRejected.reason is not described"));
    }

    @Test
    void shouldTellAnUndocumentedFailureKind() {
        Map<String, Schema> withNewKind = new HashMap<>(PUBLIC);
        withNewKind.put(ReinstallTopics.COMPLETIONS + "-value", new Schema.Parser().parse(
                ReinstallCompletion.getClassSchema().toString().replace("\"OUTCOME_UNKNOWN\"", "\"OUTCOME_UNKNOWN\",\"GREMLINS\"")));

        assertThat(problemsOfCopy(withNewKind))
                .anySatisfy(p -> assertThat(p).contains("FailureKind symbol GREMLINS of ReinstallFailed.kind is not described"));
    }

    @Test
    void shouldTellASymbolTheSchemaDoesNotHave() throws IOException {
        doctor("        - `UNKNOWN_ACCOUNT`:", "        - `SOLAR_FLARE`: not a reason.\n        - `UNKNOWN_ACCOUNT`:");

        assertThat(problemsOfCopy(PUBLIC)).singleElement().asString()
                .contains("'#### ReinstallRejected.reason' lists SOLAR_FLARE, which RejectionReason symbols of the schema do not include");
    }

    @Test
    void shouldTellAnUnnamedUnionMember() throws IOException {
        doctor("        - `ReleaseServer`:", "        - Release:");

        assertThat(problemsOfCopy(PUBLIC)).singleElement().asString()
                .contains("union member ReleaseServer of ReinstallRequest.payload is not described");
    }

    @Test
    void shouldTellAMissingList() throws IOException {
        doctor("        #### ReinstallFailed.kind", "        #### Failure kinds");

        assertThat(problemsOfCopy(PUBLIC)).singleElement().asString()
                .contains("its description has no list '#### ReinstallFailed.kind'");
    }

    @Test
    void shouldTellAPayloadOfAnotherRecord() throws IOException {
        doctor("$ref: './asyncapi/avro/ReinstallCompletion.avsc'", "$ref: './asyncapi/avro/ReinstallRequest.avsc'");

        assertThat(problemsOfCopy(PUBLIC)).singleElement().asString()
                .contains("defines com.hostkey.reinstall.schemas.avro.ReinstallRequest, not the subject's record"
                        + " com.hostkey.reinstall.schemas.avro.ReinstallCompletion");
    }

    @Test
    void shouldTellAPayloadThatDoesNotStandAlone() throws IOException {
        // The .avsc source names the types of common/ without defining them: the AsyncAPI Avro parser cannot resolve them.
        Files.copy(AsyncApiContract.AVRO_SOURCES.resolve("ReinstallCompletion.avsc"),
                copy.resolve("asyncapi/avro/ReinstallCompletion.avsc"), StandardCopyOption.REPLACE_EXISTING);

        assertThat(problemsOfCopy(PUBLIC)).singleElement().asString()
                .contains("payload file asyncapi/avro/ReinstallCompletion.avsc does not stand alone");
    }

    @Test
    void shouldTellAStalePayloadFile() throws IOException {
        Path file = copy.resolve("asyncapi/avro/ReinstallRequest.avsc");
        Files.writeString(file, Files.readString(file).replace("The Hostkey server id this request is for.", "Some server."));

        assertThat(problemsOfCopy(PUBLIC)).singleElement().asString()
                .contains("payload file asyncapi/avro/ReinstallRequest.avsc is not").contains("-Dasyncapi.regenerate=true");
    }

    @Test
    void shouldReadListsUnderTheirHeadingOnly() {
        String description = """
                Intro with - `NOT_AN_ITEM`: in a sentence.

                #### Record.field

                - `FIRST`: one,
                  continued.
                - `SECOND`: two.
                - not a name

                #### Other words
                - `AFTER`: not in the list.
                """;

        assertThat(AsyncApiContract.lists(description)).containsExactly(Map.entry("Record.field", List.of("FIRST", "SECOND")));
    }

    private List<String> problemsOfCopy(Map<String, Schema> schemas) {
        return AsyncApiContract.read(copy.resolve("asyncapi.yaml"), AsyncApiContract.AVRO_SOURCES).problems(schemas);
    }

    /** Replaces the one occurrence of {@code text} in the copy of the document. */
    private void doctor(String text, String replacement) throws IOException {
        Path document = copy.resolve("asyncapi.yaml");
        String yaml = Files.readString(document);
        assertThat(yaml.indexOf(text)).as("'%s' in the document", text).isNotNegative().isEqualTo(yaml.lastIndexOf(text));
        Files.writeString(document, yaml.replace(text, replacement));
    }
}

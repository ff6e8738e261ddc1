package com.hostkey.reinstall.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public subjects stay FULL_TRANSITIVE: the current schema reads every released version's data
 * (an upstream producer that has not upgraded) and every released version reads the current one's
 * (a billing consumer that has not upgraded), checked with Avro's own resolution rules. The released
 * versions are kept under {@code src/test/resources/released/<subject>/v<N>.avsc}: when a change of a
 * public schema is released, add it there as the next version. An incompatible change fails this
 * build before it reaches a registry (which enforces the same level on these subjects).
 */
class PublicSchemaCompatibilityTest {

    /** The subjects other teams' code reads or writes, with the schema this build has for each. */
    static final Map<String, Schema> PUBLIC_SUBJECTS = ReinstallTopics.PUBLIC_VALUE_SCHEMAS;

    static Stream<Arguments> releasedVersions() throws IOException {
        List<Arguments> all = new ArrayList<>();
        for (Map.Entry<String, Schema> subject : PUBLIC_SUBJECTS.entrySet()) {
            List<Schema> released = released(subject.getKey());
            assertThat(released).as("released versions of %s", subject.getKey()).isNotEmpty();
            for (int v = 0; v < released.size(); v++) {
                all.add(Arguments.of(subject.getKey(), "v" + (v + 1), released.get(v), subject.getValue()));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("releasedVersions")
    void shouldReadEveryReleasedVersionAndBeReadByIt(String subject, String version, Schema released, Schema current) {
        assertCompatible(current, released, subject + ": this build reading " + version + "'s data");
        assertCompatible(released, current, subject + ": " + version + "'s readers reading this build's data");
    }

    @org.junit.jupiter.api.Test
    void shouldTellAnIncompatibleChange() {
        Schema current = ReinstallCompletion.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        current.getFields().forEach(f -> fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal())));
        fields.add(new Schema.Field("invoiceId", Schema.create(Schema.Type.STRING), "a new required field, no default", null));
        Schema withRequiredField = Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);

        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(withRequiredField, current).getType())
                .as("a reader that needs a field old data lacks").isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static void assertCompatible(Schema reader, Schema writer, String what) {
        SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        assertThat(result.getType()).as("%s: %s", what, result.getResult().getIncompatibilities())
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }

    private static List<Schema> released(String subject) throws IOException {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            try (InputStream in = PublicSchemaCompatibilityTest.class.getResourceAsStream("/released/" + subject + "/v" + v + ".avsc")) {
                if (in == null) {
                    return versions;
                }
                versions.add(new Schema.Parser().parse(in));
            }
        }
    }
}

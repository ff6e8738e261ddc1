package com.hostkey.reinstall.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.deploy.RegistrySubjectsConfigure;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import com.hostkey.reinstall.testkit.ApicurioRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** A real registry holds the public subjects to FULL_TRANSITIVE once the deploy tool has run: a breaking change is refused there too. */
class PublicSubjectsIT {

    @Test
    void shouldMakeTheRegistryRefuseAVersionOldReadersCouldNotRead() throws Exception {
        try (ApicurioRegistry registry = ApicurioRegistry.start()) {
            SchemaRegistryClient client = new SchemaRegistryClient(registry.url());

            assertThat(RegistrySubjectsConfigure.configure(client)).containsOnlyKeys(ReinstallTopics.PUBLIC_VALUE_SCHEMAS.keySet())
                    .allSatisfy((subject, level) -> assertThat(level).isEqualTo(ReinstallTopics.PUBLIC_COMPATIBILITY));

            // billing's record, with a new required field: old consumers could read it, but this build could not read their data.
            Schema current = ReinstallCompletion.getClassSchema();
            List<Schema.Field> fields = new ArrayList<>();
            current.getFields().forEach(f -> fields.add(new Schema.Field(f.name(), f.schema(), f.doc(), f.defaultVal())));
            fields.add(new Schema.Field("invoiceId", Schema.create(Schema.Type.STRING), "required, no default", null));
            Schema breaking = Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);

            assertThatThrownBy(() -> client.register(ReinstallTopics.COMPLETIONS + "-value", breaking))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("409");
            // Running the tool again changes nothing.
            assertThat(RegistrySubjectsConfigure.configure(client)).allSatisfy((subject, level) -> assertThat(level).isEqualTo("FULL_TRANSITIVE"));
        }
    }
}

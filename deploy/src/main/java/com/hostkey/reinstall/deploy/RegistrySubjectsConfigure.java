package com.hostkey.reinstall.deploy;

import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.RegistrySettings;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.serde.RegistryAccess;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * Holds the public subjects ({@link ReinstallTopics#PUBLIC_VALUE_SCHEMAS}: what upstream writes and
 * billing reads) to {@value ReinstallTopics#PUBLIC_COMPATIBILITY} in the schema registry: registers
 * this release's schema under each (a no-op when it is there) and sets the subject's compatibility,
 * so the registry refuses a version another team's old code could not read. Run it where topics are
 * created (the local stack does), with the registry's credentials in the {@code SCHEMA_REGISTRY_*}
 * variables ({@link RegistrySettings}).
 *
 * <p>Usage: {@code RegistrySubjectsConfigure SCHEMA_REGISTRY_URL}
 */
public final class RegistrySubjectsConfigure {

    private RegistrySubjectsConfigure() {}

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: RegistrySubjectsConfigure SCHEMA_REGISTRY_URL");
            System.exit(2);
        }
        Map<String, String> levels = configure(new SchemaRegistryClient(
                RegistryAccess.fromConfig(args[0], RegistrySettings.fromEnv(EnvSettings.fromSystem()))));
        StringBuilder line = new StringBuilder("public subjects:");
        levels.forEach((subject, level) -> line.append(' ').append(subject).append(" (").append(level).append(')'));
        System.out.println(line);
    }

    /** Registers each public schema and sets its subject's compatibility; answers the level the registry now reports per subject. */
    public static Map<String, String> configure(SchemaRegistryClient registry) {
        Map<String, String> levels = new TreeMap<>();
        for (Map.Entry<String, Schema> subject : ReinstallTopics.PUBLIC_VALUE_SCHEMAS.entrySet()) {
            registry.register(subject.getKey(), subject.getValue());
            registry.setCompatibility(subject.getKey(), ReinstallTopics.PUBLIC_COMPATIBILITY);
            levels.put(subject.getKey(), registry.compatibility(subject.getKey()));
        }
        return levels;
    }
}

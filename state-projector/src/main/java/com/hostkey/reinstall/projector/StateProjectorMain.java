package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.ServiceLifecycle;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/** Wires the projector from the environment and runs it until SIGTERM. */
public final class StateProjectorMain {

    private StateProjectorMain() {}

    public static void main(String[] args) throws Exception {
        ServiceLifecycle.main("state-projector", () -> {
            EnvSettings env = EnvSettings.fromSystem();
            ProjectorConfig config = ProjectorConfig.fromEnv(env);
            try (Admin admin = Admin.create(config.adminConfig())) {
                TopicProvisioner.ensureTopics(admin, env.optionalInt("TOPIC_PARTITIONS", 6), (short) config.replication());
            }
            StateProjector projector = StateProjector.start(config);
            ServiceLifecycle.runUntilStopped("state-projector", List.of(projector));
        });
    }
}

package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.runtime.EnvSettings;
import java.time.Duration;

/**
 * The saga's deadlines, retry and quarantine policy. Defaults fit real installs: Hostkey's installs
 * take 10-30 minutes and its own tooling gives up after 90.
 *
 * @param commandAnswer   SAGA_COMMAND_ANSWER_SECONDS: the handler answers a step command (600)
 * @param actionCallback  SAGA_ACTION_CALLBACK_SECONDS: an async action's callback says OK (600)
 * @param firstStage      SAGA_FIRST_STAGE_SECONDS: stage 1 after the reboot, else the server never caught PXE (900)
 * @param nextStage       SAGA_NEXT_STAGE_SECONDS: each next installer stage (1800)
 * @param jenkinsTask     SAGA_JENKINS_TASK_SECONDS: one post-install task (3600)
 * @param wholeReinstall  SAGA_WHOLE_REINSTALL_SECONDS: from admission to the end (5400)
 * @param admissionWait   SAGA_ADMISSION_WAIT_SECONDS: waiting in the queue for a slot (86400)
 * @param maxAttempts     SAGA_MAX_ATTEMPTS: attempts of one step on transient errors (5)
 * @param retryBackoff    SAGA_RETRY_BACKOFF_SECONDS: first backoff, doubled per attempt, +-20% jitter (10)
 * @param maxRetryBackoff SAGA_MAX_RETRY_BACKOFF_SECONDS (300)
 * @param pxeRetries      SAGA_PXE_RETRIES: extra boot-from-PXE + reboot rounds when no stage 1 came (1)
 * @param quarantineAfter SAGA_QUARANTINE_AFTER: failed reinstalls in a row that quarantine a server (3)
 * @param requestMemory   SAGA_REQUEST_MEMORY_SECONDS: how long a server remembers a request id it has seen, so a
 *                        redelivered request never starts a reinstall (604800, 7 days: the requests topic's
 *                        retention; keep it at least as long). At most {@link #MAX_SEEN_REQUESTS} ids per server.
 */
public record SagaSettings(
        Duration commandAnswer,
        Duration actionCallback,
        Duration firstStage,
        Duration nextStage,
        Duration jenkinsTask,
        Duration wholeReinstall,
        Duration admissionWait,
        int maxAttempts,
        Duration retryBackoff,
        Duration maxRetryBackoff,
        int pxeRetries,
        int quarantineAfter,
        Duration requestMemory) {

    /** The most request ids one server remembers; the oldest are forgotten first. */
    public static final int MAX_SEEN_REQUESTS = 256;

    public static SagaSettings defaults() {
        return new SagaSettings(Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(15),
                Duration.ofMinutes(30), Duration.ofMinutes(60), Duration.ofMinutes(90), Duration.ofHours(24),
                5, Duration.ofSeconds(10), Duration.ofMinutes(5), 1, 3, Duration.ofDays(7));
    }

    public static SagaSettings fromEnv(EnvSettings env) {
        SagaSettings d = defaults();
        return new SagaSettings(
                seconds(env, "SAGA_COMMAND_ANSWER_SECONDS", d.commandAnswer),
                seconds(env, "SAGA_ACTION_CALLBACK_SECONDS", d.actionCallback),
                seconds(env, "SAGA_FIRST_STAGE_SECONDS", d.firstStage),
                seconds(env, "SAGA_NEXT_STAGE_SECONDS", d.nextStage),
                seconds(env, "SAGA_JENKINS_TASK_SECONDS", d.jenkinsTask),
                seconds(env, "SAGA_WHOLE_REINSTALL_SECONDS", d.wholeReinstall),
                seconds(env, "SAGA_ADMISSION_WAIT_SECONDS", d.admissionWait),
                env.optionalInt("SAGA_MAX_ATTEMPTS", d.maxAttempts),
                seconds(env, "SAGA_RETRY_BACKOFF_SECONDS", d.retryBackoff),
                seconds(env, "SAGA_MAX_RETRY_BACKOFF_SECONDS", d.maxRetryBackoff),
                env.optionalInt("SAGA_PXE_RETRIES", d.pxeRetries),
                env.optionalInt("SAGA_QUARANTINE_AFTER", d.quarantineAfter),
                seconds(env, "SAGA_REQUEST_MEMORY_SECONDS", d.requestMemory));
    }

    /**
     * How long after it is issued a step may still be started: the first half of its answer time.
     * The second half is the call's own time to answer, so a step started late still answers
     * before the saga's deadline, and one the handler only sees after this never runs.
     */
    public Duration stepStartWindow() {
        return commandAnswer.dividedBy(2);
    }

    private static Duration seconds(EnvSettings env, String name, Duration fallback) {
        return Duration.ofSeconds(env.optionalLong(name, fallback.toSeconds()));
    }
}

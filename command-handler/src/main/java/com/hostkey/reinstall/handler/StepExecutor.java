package com.hostkey.reinstall.handler;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyApi.AsyncAction;
import com.hostkey.invapi.client.HostkeyApi.BootMedia;
import com.hostkey.invapi.client.HostkeyApi.CreatePxeRequest;
import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.invapi.client.HostkeyException;
import com.hostkey.invapi.client.Refusal;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.CreatePxeConfig;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.HostkeyRefusal;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.StepExpired;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.RunJenkinsTask;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.UncheckedRule;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.runtime.LogContext;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import org.apache.avro.specific.SpecificRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one step command: exactly one Hostkey call (or, for validation, a few reads) and the
 * event that states its outcome. Secrets are opened here, for the create_pxe call only, and never
 * leave this method.
 */
public final class StepExecutor {

    static final String SOURCE = "command-handler";
    private static final Logger log = LoggerFactory.getLogger(StepExecutor.class);

    private final HostkeyApi hostkey;
    private final SecretOpener secrets;
    private final ReinstallValidator validator;
    private final Clock clock;
    private final HandlerMetrics metrics;
    private final JenkinsTaskCatalog jenkinsTasks;
    /** HANDLER_JENKINS_TASKS_TTL_SECONDS' default. */
    public static final Duration DEFAULT_JENKINS_TASKS_TTL = Duration.ofSeconds(60);

    public StepExecutor(HostkeyApi hostkey, SecretOpener secrets, ReinstallValidator validator, Clock clock) {
        this(hostkey, secrets, validator, clock, HandlerMetrics.disabled());
    }

    public StepExecutor(HostkeyApi hostkey, SecretOpener secrets, ReinstallValidator validator, Clock clock, HandlerMetrics metrics) {
        this(hostkey, secrets, validator, clock, metrics, DEFAULT_JENKINS_TASKS_TTL);
    }

    /**
     * @param jenkinsTasksTtl how long validations share an account's {@code jenkins/get_tasks} listing
     *                        (HANDLER_JENKINS_TASKS_TTL_SECONDS; {@link JenkinsTaskCatalog})
     */
    public StepExecutor(HostkeyApi hostkey, SecretOpener secrets, ReinstallValidator validator, Clock clock, HandlerMetrics metrics,
                        Duration jenkinsTasksTtl) {
        this.jenkinsTasks = new JenkinsTaskCatalog(hostkey, jenkinsTasksTtl, clock);
        this.hostkey = hostkey;
        this.secrets = secrets;
        this.validator = validator;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * True for calls that must never be repeated without evidence that the first one did not take
     * effect: an intent is recorded before them.
     */
    public static boolean mustNotRepeatBlindly(StepCommand command) {
        return switch (command.getPayload()) {
            case CreatePxeConfig c -> true;
            case RebootServer r -> true;
            case RunJenkinsTask r -> true;
            default -> false;
        };
    }

    /**
     * True for steps that only read from Hostkey (the validation): running one again changes
     * nothing at Hostkey and answers under the same event id, so its outcome may be published
     * before the offset that says it ran is committed (see {@link CommandHandler}).
     */
    public static boolean readsOnly(StepCommand command) {
        return command.getPayload() instanceof ValidateReinstall;
    }

    /** The invapi call a step command makes, as {@code module/action}. */
    public static String callOf(StepCommand command) {
        return switch (command.getPayload()) {
            case ValidateReinstall v -> "os/list";
            case CreateReinstallKey c -> "eq/reinstall";
            case CreatePxeConfig c -> "eq/create_pxe";
            case SetBootDevice s -> "eq/boot_dev";
            case RebootServer r -> "eq/reboot";
            case RunJenkinsTask r -> "jenkins/run_task";
            case ClearPxeConfig c -> "eq/clear_pxe";
            default -> "unknown";
        };
    }

    /**
     * The event for a command redelivered with its intent still open: the call may or may not have
     * been applied before a crash, so it is not repeated; the projector reconciles.
     */
    public ReinstallEvent outcomeUnknown(StepCommand command) {
        return LogContext.call(command.getServerId(), command.getReinstallId(), command.getCommandId(), () -> {
            metrics.outcomeUnknown(command);
            return unknownOutcomeEvent(command);
        });
    }

    private ReinstallEvent unknownOutcomeEvent(StepCommand command) {
        log.warn("server={} reinstall={} command={} {} was started before a restart and its outcome is unknown; not repeating it",
                command.getServerId(), command.getReinstallId(), command.getCommandId(), callOf(command));
        return eventFor(command, HostkeyCallFailed.newBuilder()
                .setCall(callOf(command))
                .setErrorClass(HostkeyErrorClass.AMBIGUOUS)
                .setMessage("outcome unknown: the command handler restarted after sending the call")
                .build());
    }

    /**
     * The event for a command whose execution threw something no step expects (a bug, not a Hostkey
     * answer). A call that must not be repeated blindly may have been sent: its outcome is AMBIGUOUS,
     * so the projector reconciles; any other failed INTERNAL. Either way the server's reinstall does
     * not stall on an exception nobody reads.
     */
    public ReinstallEvent failedUnexpectedly(StepCommand command, RuntimeException error) {
        return LogContext.call(command.getServerId(), command.getReinstallId(), command.getCommandId(), () -> {
            log.error("server={} reinstall={} command={} {} failed unexpectedly", command.getServerId(), command.getReinstallId(),
                    command.getCommandId(), callOf(command), error);
            ReinstallEvent event = eventFor(command, HostkeyCallFailed.newBuilder()
                    .setCall(callOf(command))
                    .setErrorClass(mustNotRepeatBlindly(command) ? HostkeyErrorClass.AMBIGUOUS : HostkeyErrorClass.INTERNAL)
                    .setMessage("the command handler failed unexpectedly: " + error.getClass().getSimpleName())
                    .build());
            metrics.commandExecuted(command, event);
            return event;
        });
    }

    /**
     * Runs the command's call; every outcome, failures included, becomes one event. A step whose
     * {@code notAfter} has passed makes no call: it is answered {@link StepExpired} (the saga that
     * issued it may have given up on it and compensated already). The log lines written meanwhile
     * carry the command's server, reinstall and command ids (MDC).
     */
    public ReinstallEvent execute(StepCommand command) {
        return LogContext.call(command.getServerId(), command.getReinstallId(), command.getCommandId(), () -> {
            Instant now = clock.instant();
            ReinstallEvent event = now.isBefore(command.getNotAfter()) ? call(command) : expired(command, now);
            metrics.commandExecuted(command, event);
            return event;
        });
    }

    private ReinstallEvent expired(StepCommand command, Instant now) {
        log.warn("server={} reinstall={} command={} {} reached the handler {} ms after its notAfter; not calling Hostkey",
                command.getServerId(), command.getReinstallId(), command.getCommandId(), callOf(command),
                now.toEpochMilli() - command.getNotAfter().toEpochMilli());
        return eventFor(command, StepExpired.newBuilder()
                .setCall(callOf(command))
                .setNotAfter(command.getNotAfter())
                .setMessage("the step reached the command handler after " + command.getNotAfter() + "; no call was made")
                .build());
    }

    private ReinstallEvent call(StepCommand command) {
        long serverId = command.getServerId();
        Object outcome;
        try {
            outcome = switch (command.getPayload()) {
                case ValidateReinstall v -> validate(serverId, v);
                case CreateReinstallKey c -> ReinstallKeyCreated.newBuilder()
                        .setReinstallKey(hostkey.createReinstallKey(c.getAccount(), serverId)).build();
                case CreatePxeConfig c -> accepted(AsyncActionKind.CREATE_PXE, hostkey.createPxe(c.getAccount(), pxeRequest(serverId, c)), null);
                case SetBootDevice s -> accepted(
                        switch (s.getMedia()) {
                            case PXE -> AsyncActionKind.BOOT_FROM_PXE;
                            case DISK, CD -> AsyncActionKind.BOOT_FROM_DISK;
                        },
                        hostkey.bootDevice(s.getAccount(), serverId, BootMedia.valueOf(s.getMedia().name())), null);
                case RebootServer r -> accepted(AsyncActionKind.REBOOT, hostkey.reboot(r.getAccount(), serverId), null);
                case RunJenkinsTask r -> accepted(AsyncActionKind.JENKINS_TASK,
                        hostkey.runJenkinsTask(r.getAccount(), serverId, r.getTaskId()), r.getTaskId());
                case ClearPxeConfig c -> accepted(AsyncActionKind.CLEAR_PXE, hostkey.clearPxe(c.getAccount(), serverId, c.getHostname()), null);
                default -> throw new IllegalArgumentException("not a step command: " + command.getPayload().getClass().getSimpleName());
            };
        } catch (HostkeyException e) {
            log.warn("server={} reinstall={} command={} Hostkey call failed: {}", serverId, command.getReinstallId(),
                    command.getCommandId(), e.getMessage());
            outcome = HostkeyCallFailed.newBuilder()
                    .setCall(e.action())
                    .setErrorClass(errorClassOf(e))
                    .setMessage(e.getMessage())
                    .setRetryAfterMillis(e instanceof HostkeyException.Transient t && t.retryAfter() != null ? t.retryAfter().toMillis() : null)
                    .setRefusal(e.refusal().map(StepExecutor::refusalOf).orElse(null))
                    .build();
        } catch (SecretOpener.CannotOpenException e) {
            log.warn("server={} reinstall={} command={} cannot open a sealed secret: {}", serverId, command.getReinstallId(),
                    command.getCommandId(), e.getMessage());
            outcome = HostkeyCallFailed.newBuilder()
                    .setCall("eq/create_pxe")
                    .setErrorClass(HostkeyErrorClass.INTERNAL)
                    .setMessage("sealed secret cannot be opened: " + e.getMessage())
                    .build();
        }
        log.info("server={} reinstall={} command={} {} -> {}", serverId, command.getReinstallId(), command.getCommandId(),
                command.getPayload().getClass().getSimpleName(), outcome.getClass().getSimpleName());
        return eventFor(command, outcome);
    }

    private ReinstallEvent eventFor(StepCommand command, Object outcome) {
        return ReinstallEvent.newBuilder()
                .setEventId(command.getCommandId() + ":outcome")
                .setServerId(command.getServerId())
                .setReinstallId(command.getReinstallId())
                .setCommandId(command.getCommandId())
                .setOccurredAt(clock.instant())
                .setSource(SOURCE)
                .setPayload(outcome)
                .build();
    }

    /**
     * Field checks, then the reads that must pass before anything touches the server. The sealed
     * secrets are opened here only to check them, and dropped at once. A refusal of a read that
     * the client types {@link Refusal#SERVER_NOT_FOUND} or {@link Refusal#OS_NOT_OFFERED} rejects
     * the request; any other (a locked account, words no pattern knows) is a failed call, a
     * {@link HostkeyCallFailed} that carries its refusal.
     */
    private Object validate(long serverId, ValidateReinstall command) {
        String rootPassword;
        String script;
        String field = "rootPassword";
        try {
            rootPassword = command.getRootPassword() == null ? null : secrets.open(command.getRootPassword());
            field = "postInstallScript";
            script = command.getPostInstallScript() == null ? null : secrets.open(command.getPostInstallScript());
        } catch (SecretOpener.CannotOpenException e) {
            // The opener's message names the reason and the kid, never secret material.
            return rejected(RejectionReason.UNSEALABLE_SECRET, field, "the sealed " + field + " cannot be opened by this command handler ("
                    + e.reason() + ": " + e.getMessage() + "); seal it as a JWE (RSA-OAEP-256, A256GCM) to the first key of the handler's"
                    + " JWK Set, " + SealingKeys.JWKS_PATH + " on its operations port");
        }
        Optional<ValidationFailed> fieldProblem = validator.checkFields(command, rootPassword, script);
        if (fieldProblem.isPresent()) {
            return fieldProblem.get();
        }
        List<OsOffer> offers;
        ServerFacts facts;
        try {
            facts = hostkey.show(command.getAccount(), serverId);
            offers = hostkey.listOs(command.getAccount(), serverId);
        } catch (HostkeyException.AuthFailed e) {
            if (e.refusal().orElse(Refusal.UNCLASSIFIED) == Refusal.ACCOUNT_NOT_CONFIGURED) {
                // The request's mistake, found before anything touched the server: a typed rejection, not a failure.
                return rejected(RejectionReason.UNKNOWN_ACCOUNT, "account", "no Hostkey account '" + command.getAccount()
                        + "' is configured in the command handler (HOSTKEY_ACCOUNTS); use one of its accounts, or 'default'");
            }
            throw e;
        } catch (HostkeyException.Rejected e) {
            // The client tells the refusal; any other than these two is a failed call, typed as such.
            switch (e.refusal().orElse(Refusal.UNCLASSIFIED)) {
                case SERVER_NOT_FOUND -> {
                    return rejected(RejectionReason.SERVER_NOT_FOUND, "serverId", "Hostkey does not know server " + serverId
                            + " for account " + command.getAccount() + ": " + e.hostkeyMessage());
                }
                case OS_NOT_OFFERED -> {
                    return rejected(RejectionReason.OS_NOT_OFFERED, "osId", "os/list offers no OS for server " + serverId + ": "
                            + e.hostkeyMessage());
                }
                default -> throw e;
            }
        }
        List<JenkinsTask> tasks = command.getJenkinsTasks().isEmpty() ? List.of()
                : jenkinsTasks.tasks(command.getAccount(), command.getJenkinsTasks());
        ReinstallValidator.ServerAssessment assessment = validator.assessAgainstServer(command, offers, facts, tasks);
        if (assessment.failure().isPresent()) {
            return assessment.failure().get();
        }
        String osName = offers.stream().filter(o -> o.id() == command.getOsId()).map(OsOffer::name).findFirst().orElse(null);
        return ReinstallValidated.newBuilder()
                .setOsName(osName == null ? "OS " + command.getOsId() : osName)
                .setServerType(facts.type())
                .setLocation(facts.location())
                .setChecked(assessment.checked())
                .setNotChecked(assessment.notChecked().stream()
                        .map(u -> UncheckedRule.newBuilder().setCheck(u.check()).setWhy(u.why()).build()).toList())
                .setLicences(assessment.licences())
                .build();
    }

    /** This instance's share of the deployment's Hostkey request budget (see {@link HostkeyApi#shareBudget}). */
    void shareBudget(double fraction) {
        hostkey.shareBudget(fraction);
    }

    private CreatePxeRequest pxeRequest(long serverId, CreatePxeConfig command) {
        return new CreatePxeRequest(
                serverId,
                command.getOsId(),
                secrets.open(command.getRootPassword()),
                command.getHostname(),
                command.getSshKey(),
                command.getPostInstallCallbackUrl(),
                command.getPostInstallScript() == null ? null : secrets.open(command.getPostInstallScript()),
                command.getReinstallKey(),
                command.getPartitionScheme() == null ? null : command.getPartitionScheme().name(),
                command.getLicences());
    }

    /**
     * Hostkey's OK to an action: accepted with a callback key to poll, or, with no key, done at once
     * (boot_dev, create_pxe and clear_pxe are only assumed to be asynchronous).
     */
    private static SpecificRecord accepted(AsyncActionKind kind, AsyncAction action, String detail) {
        if (action.callbackKey() == null) {
            return ActionCompleted.newBuilder().setAction(kind).setCallbackKey(null).setScope(null).build();
        }
        return ActionAccepted.newBuilder().setAction(kind).setCallbackKey(action.callbackKey()).setDetail(detail).build();
    }

    private static ValidationFailed rejected(RejectionReason reason, String field, String message) {
        return ValidationFailed.newBuilder().setReason(reason).setField(field).setMessage(message).build();
    }

    /**
     * What the saga does with the failure (retry, fail, reconcile). A hostname mismatch is its own
     * class: on clear_pxe it means there is nothing to clear.
     */
    static HostkeyErrorClass errorClassOf(HostkeyException e) {
        return switch (e) {
            case HostkeyException.Rejected r -> r.refusal().orElse(Refusal.UNCLASSIFIED) == Refusal.HOSTNAME_MISMATCH
                    ? HostkeyErrorClass.UNKNOWN_HOSTNAME : HostkeyErrorClass.REJECTED;
            case HostkeyException.AuthFailed a -> HostkeyErrorClass.AUTH;
            case HostkeyException.WrongPin w -> HostkeyErrorClass.WRONG_PIN;
            case HostkeyException.Transient t -> HostkeyErrorClass.TRANSIENT;
            case HostkeyException.Ambiguous a -> HostkeyErrorClass.AMBIGUOUS;
        };
    }

    /** The client's refusal kind as the event carries it. */
    static HostkeyRefusal refusalOf(Refusal refusal) {
        return switch (refusal) {
            case ACCOUNT_LOCKED -> HostkeyRefusal.ACCOUNT_LOCKED;
            case WRONG_PIN -> HostkeyRefusal.WRONG_PIN;
            case INVALID_TOKEN -> HostkeyRefusal.INVALID_TOKEN;
            case LOGIN_REFUSED -> HostkeyRefusal.LOGIN_REFUSED;
            case SERVER_NOT_FOUND -> HostkeyRefusal.SERVER_NOT_FOUND;
            case HOSTNAME_MISMATCH -> HostkeyRefusal.HOSTNAME_MISMATCH;
            case REINSTALL_KEY_NOT_FOUND -> HostkeyRefusal.REINSTALL_KEY_NOT_FOUND;
            case OS_NOT_OFFERED -> HostkeyRefusal.OS_NOT_OFFERED;
            case INVALID_PARAMETER -> HostkeyRefusal.INVALID_PARAMETER;
            case ACCOUNT_NOT_CONFIGURED -> HostkeyRefusal.ACCOUNT_NOT_CONFIGURED;
            case UNCLASSIFIED -> HostkeyRefusal.UNCLASSIFIED;
        };
    }
}

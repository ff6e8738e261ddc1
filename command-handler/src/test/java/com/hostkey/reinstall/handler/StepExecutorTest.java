package com.hostkey.reinstall.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyException;
import com.hostkey.invapi.client.Refusal;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.CreatePxeConfig;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.HostkeyRefusal;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.BootMedia;
import com.hostkey.reinstall.schemas.avro.StepExpired;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepExecutorTest {

    /** Far after any clock of these tests: the steps here are never expired. */
    private static final Instant NOT_AFTER = Instant.parse("2100-01-01T00:00:00Z");

    private static final KeyPair KEYS = SealingKeys.generate();
    private static final SecretSealer SEALER = new SecretSealer("k1", KEYS.getPublic());

    private final FakeHostkey hostkey = new FakeHostkey();
    private final StepExecutor executor = new StepExecutor(hostkey, new SecretOpener(Map.of("k1", KEYS.getPrivate())),
            new ReinstallValidator(ValidationLimits.defaults()), Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void shouldOpenTheSealedPasswordOnlyForTheCreatePxeCall() {
        ReinstallEvent event = executor.execute(command(CreatePxeConfig.newBuilder()
                .setAccount("default").setOsId(101).setHostname("srv.example.net")
                .setRootPassword(SEALER.seal("Open7%Sesame")).setReinstallKey("master").build()));

        assertThat(hostkey.createPxePasswords).containsExactly("Open7%Sesame");
        assertThat(event.getPayload()).isInstanceOfSatisfying(ActionAccepted.class,
                a -> assertThat(a.getAction()).isEqualTo(AsyncActionKind.CREATE_PXE));
        assertThat(event.toString()).doesNotContain("Open7%Sesame");
    }

    @Test
    void shouldAnswerAnOkWithoutCallbackKeyAsAnActionDoneAtOnce() {
        hostkey.bootDevSynchronous = true;
        ReinstallEvent event = executor.execute(command(SetBootDevice.newBuilder().setAccount("default").setMedia(BootMedia.DISK).build()));

        assertThat(event.getPayload()).isInstanceOfSatisfying(ActionCompleted.class, done -> {
            assertThat(done.getAction()).isEqualTo(AsyncActionKind.BOOT_FROM_DISK);
            assertThat(done.getCallbackKey()).isNull();
        });
        assertThat(event.getCommandId()).as("it answers the step").isNotNull();
    }

    @Test
    void shouldMakeNoCallForAStepThatArrivesAfterItsNotAfter() {
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        for (Object payload : List.<Object>of(RebootServer.newBuilder().setAccount("default").build(),
                SetBootDevice.newBuilder().setAccount("default").setMedia(BootMedia.PXE).build(),
                CreateReinstallKey.newBuilder().setAccount("default").build())) {
            StepCommand late = StepCommand.newBuilder(command(payload)).setNotAfter(now).build();

            ReinstallEvent event = executor.execute(late);

            assertThat(event.getPayload()).isInstanceOfSatisfying(StepExpired.class, e -> {
                assertThat(e.getNotAfter()).isEqualTo(now);
                assertThat(e.getCall()).isEqualTo(StepExecutor.callOf(late));
            });
            assertThat(event.getCommandId()).isEqualTo(late.getCommandId());
        }
        assertThat(hostkey.sideEffects).isEmpty();

        executor.execute(StepCommand.newBuilder(command(RebootServer.newBuilder().setAccount("default").build()))
                .setNotAfter(now.plusMillis(1)).build());
        assertThat(hostkey.sideEffects).containsExactly("reboot");
    }

    @Test
    void shouldTurnEachErrorClassIntoATypedEvent() {
        hostkey.rebootError = new HostkeyException.Ambiguous("eq/reboot", "read timeout", null);
        assertThat(((HostkeyCallFailed) executor.execute(command(RebootServer.newBuilder().setAccount("default").build())).getPayload())
                .getErrorClass()).isEqualTo(HostkeyErrorClass.AMBIGUOUS);
        hostkey.rebootError = new HostkeyException.WrongPin("eq/reboot", "wrong PIN code");
        assertThat(((HostkeyCallFailed) executor.execute(command(RebootServer.newBuilder().setAccount("default").build())).getPayload())
                .getErrorClass()).isEqualTo(HostkeyErrorClass.WRONG_PIN);
    }

    @Test
    void shouldPassOnHowLongHostkeyAskedToWait() {
        hostkey.rebootError = new HostkeyException.Transient("eq/reboot", "HTTP 429, Retry-After 120 s", java.time.Duration.ofSeconds(120), null);
        HostkeyCallFailed failed = (HostkeyCallFailed) executor.execute(command(RebootServer.newBuilder().setAccount("default").build())).getPayload();
        assertThat(failed.getErrorClass()).isEqualTo(HostkeyErrorClass.TRANSIENT);
        assertThat(failed.getRetryAfterMillis()).isEqualTo(120_000L);

        hostkey.rebootError = new HostkeyException.Transient("eq/reboot", "HTTP 503", null, null);
        assertThat(((HostkeyCallFailed) executor.execute(command(RebootServer.newBuilder().setAccount("default").build())).getPayload())
                .getRetryAfterMillis()).as("Hostkey said nothing").isNull();
    }

    @Test
    void shouldCarryTheRefusalKindOnTheEvent() {
        hostkey.rebootError = new HostkeyException.WrongPin("eq/reboot", "confirmation code rejected");
        HostkeyCallFailed wrongPin = (HostkeyCallFailed) executor.execute(command(RebootServer.newBuilder().setAccount("default").build()))
                .getPayload();
        assertThat(wrongPin.getRefusal()).isEqualTo(HostkeyRefusal.WRONG_PIN);

        hostkey.clearPxeError = new HostkeyException.Rejected("eq/clear_pxe", "eq/clear_pxe: equipment 1001 carries another hostname",
                Refusal.HOSTNAME_MISMATCH);
        HostkeyCallFailed mismatch = (HostkeyCallFailed) executor.execute(command(ClearPxeConfig.newBuilder().setAccount("default")
                .setHostname("srv.example.net").build())).getPayload();
        assertThat(mismatch.getErrorClass()).as("the saga's class: nothing under that hostname").isEqualTo(HostkeyErrorClass.UNKNOWN_HOSTNAME);
        assertThat(mismatch.getRefusal()).isEqualTo(HostkeyRefusal.HOSTNAME_MISMATCH);

        hostkey.rebootError = new HostkeyException.Transient("eq/reboot", "HTTP 503", null, null);
        HostkeyCallFailed transientFailure = (HostkeyCallFailed) executor.execute(command(RebootServer.newBuilder()
                .setAccount("default").build())).getPayload();
        assertThat(transientFailure.getRefusal()).as("Hostkey refused nothing").isNull();
    }

    @Test
    void shouldNameEveryRefusalKindOnTheEventAsTheClientDoes() {
        for (Refusal kind : Refusal.values()) {
            assertThat(StepExecutor.refusalOf(kind).name()).isEqualTo(kind.name());
        }
        assertThat(HostkeyRefusal.values()).hasSameSizeAs(Refusal.values());
    }

    @Test
    void shouldRejectAServerHostkeyDoesNotKnowByTheClientsTypeNotByItsWords() {
        hostkey.showError = new HostkeyException.Rejected("eq/show", "eq/show: no access to equipment 1001", Refusal.SERVER_NOT_FOUND);
        assertThat(executor.execute(command(validate(101))).getPayload()).isInstanceOfSatisfying(ValidationFailed.class, f -> {
            assertThat(f.getReason()).isEqualTo(RejectionReason.SERVER_NOT_FOUND);
            assertThat(f.getMessage()).contains("no access to equipment 1001");
        });

        hostkey.showError = null;
        hostkey.listOsError = new HostkeyException.Rejected("os/list", "os/list: no OS found", Refusal.OS_NOT_OFFERED);
        assertThat(executor.execute(command(validate(101))).getPayload()).isInstanceOfSatisfying(ValidationFailed.class,
                f -> assertThat(f.getReason()).isEqualTo(RejectionReason.OS_NOT_OFFERED));

        // Words that say "not found" but that the client did not recognise are not taken for an unknown server.
        hostkey.listOsError = null;
        hostkey.showError = new HostkeyException.Rejected("eq/show", "eq/show: server not found");
        assertThat(executor.execute(command(validate(101))).getPayload()).isInstanceOfSatisfying(HostkeyCallFailed.class, f -> {
            assertThat(f.getErrorClass()).isEqualTo(HostkeyErrorClass.REJECTED);
            assertThat(f.getRefusal()).isEqualTo(HostkeyRefusal.UNCLASSIFIED);
            assertThat(f.getMessage()).contains("server not found");
        });

        hostkey.showError = new HostkeyException.Rejected("eq/show", "eq/show: account locked", Refusal.ACCOUNT_LOCKED);
        assertThat(executor.execute(command(validate(101))).getPayload()).isInstanceOfSatisfying(HostkeyCallFailed.class,
                f -> assertThat(f.getRefusal()).isEqualTo(HostkeyRefusal.ACCOUNT_LOCKED));
        assertThat(hostkey.sideEffects).isEmpty();
    }

    @Test
    void shouldRejectAnAccountTheHandlerHasNoCredentialsForAndFailOnALockedOne() {
        hostkey.showError = new HostkeyException.AuthFailed("auth/login", "no credentials configured for account 'acme'",
                Refusal.ACCOUNT_NOT_CONFIGURED);
        assertThat(executor.execute(command(validate(101))).getPayload()).isInstanceOfSatisfying(ValidationFailed.class, f -> {
            assertThat(f.getReason()).isEqualTo(RejectionReason.UNKNOWN_ACCOUNT);
            assertThat(f.getField()).isEqualTo("account");
        });

        hostkey.showError = new HostkeyException.AuthFailed("eq/show", "account locked", Refusal.ACCOUNT_LOCKED);
        assertThat(executor.execute(command(validate(101))).getPayload()).isInstanceOfSatisfying(HostkeyCallFailed.class, f -> {
            assertThat(f.getErrorClass()).as("the account's fault: the saga counts it towards no quarantine").isEqualTo(HostkeyErrorClass.AUTH);
            assertThat(f.getRefusal()).isEqualTo(HostkeyRefusal.ACCOUNT_LOCKED);
        });
    }

    @Test
    void shouldValidateWithReadsOnlyAndReportTheOsName() {
        ReinstallEvent event = executor.execute(command(validate(101)));
        assertThat(event.getPayload()).isInstanceOfSatisfying(ReinstallValidated.class, v -> {
            assertThat(v.getOsName()).isEqualTo("Ubuntu 22.04");
            assertThat(v.getServerType()).isEqualTo("bm");
        });
        assertThat(hostkey.sideEffects).isEmpty();
    }

    @Test
    void shouldCarryTheLicencesOfAnOsLicensedPerCoreOnlyAndCheckThemAgainstTheCores() {
        ValidateReinstall windows = validate(201);
        windows.setLicences(12);
        assertThat(executor.execute(command(windows)).getPayload()).isInstanceOfSatisfying(ReinstallValidated.class, v -> {
            assertThat(v.getLicences()).isEqualTo(12);
            assertThat(v.getChecked()).contains(ReinstallValidator.CHECK_LICENCES, ReinstallValidator.CHECK_LICENCES_COVER_CORES);
        });

        ValidateReinstall ubuntu = validate(101);
        ubuntu.setLicences(12);
        assertThat(executor.execute(command(ubuntu)).getPayload()).isInstanceOfSatisfying(ReinstallValidated.class,
                v -> assertThat(v.getLicences()).as("Ubuntu is not licensed per core: nothing to send or bill").isNull());

        windows.setLicences(8);
        assertThat(executor.execute(command(windows)).getPayload()).isInstanceOfSatisfying(ValidationFailed.class, f -> {
            assertThat(f.getReason()).isEqualTo(RejectionReason.INVALID_LICENCE_COUNT);
            assertThat(f.getMessage()).contains("this server has 12 cores");
        });
    }

    @Test
    void shouldSendTheLicencesTheStepCarriesWithCreatePxe() {
        executor.execute(command(CreatePxeConfig.newBuilder()
                .setAccount("default").setOsId(201).setHostname("win.example.net")
                .setRootPassword(SEALER.seal("Open7%Sesame")).setReinstallKey("master").setLicences(12).build()));
        executor.execute(command(CreatePxeConfig.newBuilder()
                .setAccount("default").setOsId(101).setHostname("srv.example.net")
                .setRootPassword(SEALER.seal("Open7%Sesame")).setReinstallKey("master").build()));

        assertThat(hostkey.createPxeRequests).extracting(HostkeyApi.CreatePxeRequest::licences).containsExactly(12, null);
    }

    @Test
    void shouldRejectAnOsTheServerIsNotOffered() {
        ReinstallEvent event = executor.execute(command(validate(999)));
        assertThat(event.getPayload()).isInstanceOfSatisfying(ValidationFailed.class,
                f -> assertThat(f.getReason()).isEqualTo(RejectionReason.OS_NOT_OFFERED));
    }

    @Test
    void shouldRejectAPasswordSealedToAnotherKey() {
        SecretSealer stranger = new SecretSealer("other", SealingKeys.generate().getPublic());
        ValidateReinstall validate = validate(101);
        validate.setRootPassword(stranger.seal("Valid7%Password"));
        assertThat(executor.execute(command(validate)).getPayload()).isInstanceOfSatisfying(ValidationFailed.class,
                f -> assertThat(f.getReason()).isEqualTo(RejectionReason.UNSEALABLE_SECRET));
    }

    @Test
    void shouldRejectAPlaintextPasswordWithoutRepeatingIt() {
        ValidateReinstall validate = validate(101);
        validate.setRootPassword("Plain7%Password");
        assertThat(executor.execute(command(validate)).getPayload()).isInstanceOfSatisfying(ValidationFailed.class, f -> {
            assertThat(f.getReason()).isEqualTo(RejectionReason.UNSEALABLE_SECRET);
            assertThat(f.getField()).isEqualTo("rootPassword");
            assertThat(f.getMessage()).contains("MALFORMED").contains("/.well-known/jwks.json").doesNotContain("Plain7%Password");
        });
    }

    @Test
    void shouldNameTheScriptWhenItIsTheSecretThatDoesNotOpen() {
        ValidateReinstall validate = validate(101);
        validate.setPostInstallScript(new SecretSealer("retired-key", SealingKeys.generate().getPublic()).seal("#!/bin/sh\necho hi\n"));
        assertThat(executor.execute(command(validate)).getPayload()).isInstanceOfSatisfying(ValidationFailed.class, f -> {
            assertThat(f.getReason()).isEqualTo(RejectionReason.UNSEALABLE_SECRET);
            assertThat(f.getField()).isEqualTo("postInstallScript");
            assertThat(f.getMessage()).contains("UNKNOWN_KEY").contains("'retired-key'").doesNotContain("echo hi");
        });
    }

    @Test
    void shouldNotRepeatACallWhoseOutcomeIsUnknown() {
        ReinstallEvent event = executor.outcomeUnknown(command(RebootServer.newBuilder().setAccount("default").build()));
        assertThat(((HostkeyCallFailed) event.getPayload()).getErrorClass()).isEqualTo(HostkeyErrorClass.AMBIGUOUS);
        assertThat(hostkey.sideEffects).isEmpty();
        assertThat(StepExecutor.mustNotRepeatBlindly(command(RebootServer.newBuilder().setAccount("default").build()))).isTrue();
        assertThat(StepExecutor.mustNotRepeatBlindly(command(SetBootDevice.newBuilder().setAccount("default")
                .setMedia(com.hostkey.reinstall.schemas.avro.BootMedia.DISK).build()))).isFalse();
    }

    private static ValidateReinstall validate(long osId) {
        return ValidateReinstall.newBuilder().setAccount("default").setOsId(osId).setHostname("srv.example.net")
                .setRootPassword(SEALER.seal("Valid7%Password")).build();
    }

    private static StepCommand command(Object payload) {
        return StepCommand.newBuilder().setCommandId("c-1").setServerId(1001).setReinstallId("r-1")
                .setIssuedAt(Instant.EPOCH).setNotAfter(NOT_AFTER).setPayload(payload).build();
    }

    /** Hostkey as far as these tests need it; records every side-effecting call. */
    private static final class FakeHostkey implements HostkeyApi {
        final List<String> createPxePasswords = new ArrayList<>();
        final List<CreatePxeRequest> createPxeRequests = new ArrayList<>();
        final List<String> sideEffects = new ArrayList<>();
        HostkeyException rebootError;
        HostkeyException clearPxeError;
        HostkeyException showError;
        HostkeyException listOsError;
        /** boot_dev answers OK without a callback key, as the real invapi may. */
        boolean bootDevSynchronous;

        @Override
        public List<OsOffer> listOs(String account, long serverId) {
            if (listOsError != null) {
                throw listOsError;
            }
            return List.of(new OsOffer(101, "Ubuntu 22.04", true, Map.of("bm", "1", "min_ram", "2", "min_hdd", "20")),
                    new OsOffer(201, "Windows Server 2022", true, Map.of("bm", "1", "price_per_core_EUR", "1.5")));
        }

        @Override
        public ServerFacts show(String account, long serverId) {
            if (showError != null) {
                throw showError;
            }
            return new ServerFacts(serverId, "rent", "srv", "NL", "bm", 64, List.of(480L, 480L), List.of(), 12);
        }

        @Override
        public List<JenkinsTask> jenkinsTasks(String account) {
            return List.of();
        }

        @Override
        public String createReinstallKey(String account, long serverId) {
            sideEffects.add("reinstall");
            return "master";
        }

        @Override
        public AsyncAction createPxe(String account, CreatePxeRequest request) {
            sideEffects.add("create_pxe");
            createPxePasswords.add(request.rootPassword());
            createPxeRequests.add(request);
            return new AsyncAction("create_pxe", "pxe-key");
        }

        @Override
        public AsyncAction bootDevice(String account, long serverId, BootMedia media) {
            sideEffects.add("boot_dev");
            return new AsyncAction("boot_dev", bootDevSynchronous ? null : "boot-key");
        }

        @Override
        public AsyncAction reboot(String account, long serverId) {
            sideEffects.add("reboot");
            if (rebootError != null) {
                throw rebootError;
            }
            return new AsyncAction("reboot", "reboot-key");
        }

        @Override
        public AsyncAction runJenkinsTask(String account, long serverId, String taskId) {
            sideEffects.add("run_task");
            return new AsyncAction("run_task", "task-key");
        }

        @Override
        public AsyncAction clearPxe(String account, long serverId, String hostname) {
            sideEffects.add("clear_pxe");
            if (clearPxeError != null) {
                throw clearPxeError;
            }
            return new AsyncAction("clear_pxe", "clear-key");
        }

        @Override
        public CallbackAnswer checkCallback(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}

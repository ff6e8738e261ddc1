package com.hostkey.reinstall.cli.command;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which OSes and Jenkins tasks fit a server, decided by the command handler's own validator so
 * that "fits" here means "the reinstall would pass validation".
 */
final class HostkeyFit {

    /** An OS that runs on every server type and asks for nothing, to check tasks on their own. */
    private static final long ANY_OS_ID = Long.MIN_VALUE;
    private static final OsOffer ANY_OS = new OsOffer(ANY_OS_ID, "any", true, Map.of("bm", "1", "vm", "1", "gpu", "1", "vgpu", "1"));

    private final ReinstallValidator validator = new ReinstallValidator(ValidationLimits.defaults());

    /** @param fits whether a reinstall with it would pass; {@code note} says what it still needs, or why not */
    record Fit(boolean fits, String note) {}

    Fit os(OsOffer offer, List<OsOffer> offers, ServerFacts facts, String account) {
        if (!offer.active()) {
            return new Fit(false, "not active");
        }
        ValidateReinstall command = ValidateReinstall.newBuilder().setAccount(account).setOsId(offer.id()).build();
        Optional<ValidationFailed> failure = validator.checkAgainstServer(command, offers, facts, List.of());
        if (failure.isEmpty()) {
            return new Fit(true, "");
        }
        if (failure.get().getReason() == RejectionReason.INVALID_LICENCE_COUNT) {
            return new Fit(true, "licensed per core: give --licences (" + ReinstallValidator.licencesNeeded(facts.cores()) + ")");
        }
        return new Fit(false, failure.get().getMessage());
    }

    Fit task(JenkinsTask task, List<JenkinsTask> tasks, ServerFacts facts, String account) {
        ValidateReinstall command = ValidateReinstall.newBuilder().setAccount(account).setOsId(ANY_OS_ID)
                .setJenkinsTasks(new ArrayList<>(List.of(task.id()))).build();
        Optional<ValidationFailed> failure = validator.checkAgainstServer(command, List.of(ANY_OS), facts, tasks);
        return failure.map(f -> new Fit(false, f.getMessage())).orElse(new Fit(true, ""));
    }
}

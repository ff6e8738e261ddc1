package com.hostkey.reinstall.schemas;

import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import java.util.Optional;

/**
 * The nine steps of Hostkey's reinstall procedure, in order, with their words: the one owner of
 * "which step is this phase, stage or action part of" and "what is the step called". The
 * projector's timeline, the CLI and the dashboard's data all come from here.
 */
public enum ReinstallStep {
    REINSTALL_KEY("reinstall key"),
    PXE_CONFIG("PXE config"),
    BOOT_FROM_PXE("boot from PXE"),
    REBOOT("reboot"),
    INSTALL_STARTED("install started (stage 1)"),
    INSTALLER_STAGES("installer stages 2-5"),
    BOOT_FROM_DISK("boot from disk"),
    JENKINS_TASKS("Jenkins tasks"),
    CLEAR_PXE("clear PXE config");

    public static final int COUNT = 9;

    private final String label;

    ReinstallStep(String label) {
        this.label = label;
    }

    /** 1-9. */
    public int number() {
        return ordinal() + 1;
    }

    public String label() {
        return label;
    }

    /** "3/9". */
    public String position() {
        return number() + "/" + COUNT;
    }

    /** The step an async action belongs to. */
    public static ReinstallStep of(AsyncActionKind action) {
        return switch (action) {
            case CREATE_PXE -> PXE_CONFIG;
            case BOOT_FROM_PXE -> BOOT_FROM_PXE;
            case REBOOT -> REBOOT;
            case BOOT_FROM_DISK -> BOOT_FROM_DISK;
            case JENKINS_TASK -> JENKINS_TASKS;
            case CLEAR_PXE -> CLEAR_PXE;
        };
    }

    /**
     * The step a phase is part of; {@code installStage} tells step 5 (no stage yet) from step 6
     * while INSTALLING. Empty for the phases before and after the procedure.
     */
    public static Optional<ReinstallStep> ofPhase(ReinstallPhase phase, int installStage) {
        return Optional.ofNullable(switch (phase) {
            case CREATING_REINSTALL_KEY -> REINSTALL_KEY;
            case CREATING_PXE_CONFIG, AWAITING_PXE_CONFIG -> PXE_CONFIG;
            case SETTING_BOOT_PXE, AWAITING_BOOT_PXE -> BOOT_FROM_PXE;
            case REBOOTING -> REBOOT;
            case INSTALLING -> installStage >= 1 ? INSTALLER_STAGES : INSTALL_STARTED;
            case SETTING_BOOT_DISK, AWAITING_BOOT_DISK -> BOOT_FROM_DISK;
            case LAUNCHING_JENKINS_TASK, AWAITING_JENKINS_TASK -> JENKINS_TASKS;
            case CLEARING_PXE_CONFIG, AWAITING_PXE_CLEARED -> CLEAR_PXE;
            case VALIDATING, QUEUED, COMPLETED, FAILED, CANCELLED, REJECTED -> null;
        });
    }

    /**
     * The step an installer stage's news belongs to: reaching stage 1 is the install starting
     * (step 5, which it ends; the reinstall is then in step 6), stages 2-5 are step 6.
     */
    public static ReinstallStep ofStage(int stage) {
        return stage <= 1 ? INSTALL_STARTED : INSTALLER_STAGES;
    }

    /**
     * The phase whose first entry starts this step ({@code ReinstallState.phaseTimes}); step 6 has
     * none of its own (INSTALLING spans steps 5 and 6): it starts when stage 1 is reached.
     */
    public ReinstallPhase firstPhase() {
        return switch (this) {
            case REINSTALL_KEY -> ReinstallPhase.CREATING_REINSTALL_KEY;
            case PXE_CONFIG -> ReinstallPhase.CREATING_PXE_CONFIG;
            case BOOT_FROM_PXE -> ReinstallPhase.SETTING_BOOT_PXE;
            case REBOOT -> ReinstallPhase.REBOOTING;
            case INSTALL_STARTED, INSTALLER_STAGES -> ReinstallPhase.INSTALLING;
            case BOOT_FROM_DISK -> ReinstallPhase.SETTING_BOOT_DISK;
            case JENKINS_TASKS -> ReinstallPhase.LAUNCHING_JENKINS_TASK;
            case CLEAR_PXE -> ReinstallPhase.CLEARING_PXE_CONFIG;
        };
    }

    /** Steps 7 and 9 also run as cleanup after a failure or a cancel. */
    public boolean isCleanup() {
        return this == BOOT_FROM_DISK || this == CLEAR_PXE;
    }
}

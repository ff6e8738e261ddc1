package com.hostkey.reinstall.cli.progress;

import java.util.Arrays;

/**
 * The projector's step statuses (its {@code progress.steps[].status}) as marks for the step table.
 * Only the look is decided here; which status a step has is the projector's word.
 */
public enum StepStatus {
    PENDING("pending", "[ ]", ""),
    RUNNING("in progress", "[>]", ""),
    DONE("done", "[x]", ""),
    /** Never began: no Jenkins task requested, or the reinstall ended before it. */
    SKIPPED("skipped", "[-]", ""),
    FAILED("failed", "[!]", ""),
    /** Interrupted by a cancel. */
    STOPPED("stopped", "[-]", "stopped"),
    /** Boot from disk or clear PXE run to clean up after a failure or a cancel. */
    CLEANUP("cleanup", "[x]", "cleanup"),
    CLEANUP_RUNNING("cleanup, in progress", "[>]", "cleanup"),
    /** A status this CLI does not know yet: shown in words. */
    OTHER("", "[?]", "");

    private final String wire;
    private final String mark;
    private final String note;

    StepStatus(String wire, String mark, String note) {
        this.wire = wire;
        this.mark = mark;
        this.note = note;
    }

    /** The status the projector names, {@link #OTHER} for one this CLI does not know. */
    public static StepStatus of(String status) {
        return Arrays.stream(values()).filter(s -> s != OTHER && s.wire.equals(status)).findFirst().orElse(OTHER);
    }

    /** A three-character ASCII mark for the step table. */
    public String mark() {
        return mark;
    }

    /** A word for the table's detail column beside the mark ("cleanup", "stopped"), or empty. */
    public String note() {
        return note;
    }
}

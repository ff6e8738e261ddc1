package com.hostkey.reinstall.cli.progress;

/** Where one step stands. */
public enum StepStatus {
    /** Not reached yet. */
    PENDING("[ ]"),
    /** In progress. */
    RUNNING("[>]"),
    DONE("[x]"),
    FAILED("[!]"),
    /** Not run: no Jenkins task requested, or the reinstall ended before it. */
    SKIPPED("[-]");

    private final String mark;

    StepStatus(String mark) {
        this.mark = mark;
    }

    /** A three-character ASCII mark for the step table. */
    public String mark() {
        return mark;
    }

    public boolean isSettled() {
        return this == DONE || this == FAILED || this == SKIPPED;
    }
}

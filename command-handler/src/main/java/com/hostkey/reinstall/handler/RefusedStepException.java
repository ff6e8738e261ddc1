package com.hostkey.reinstall.handler;

/**
 * Why the command handler will not act on a record of reinstall-steps: its dead letter carries
 * this class and the message (which names no secret and none of the record's contents) in the
 * {@code dlq.error.*} headers.
 */
public final class RefusedStepException extends Exception {

    /** The kinds of records the handler refuses. */
    public enum Reason {
        /** Not signed by a step key the handler holds: not written by the state projector. */
        UNAUTHENTICATED,
        /** Signed, but not a step command this handler can read. */
        UNREADABLE,
        /** No record key, or a key that is not the step's server id. */
        MISADDRESSED
    }

    private final Reason reason;

    public RefusedStepException(Reason reason, String message) {
        super(reason + ": " + message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

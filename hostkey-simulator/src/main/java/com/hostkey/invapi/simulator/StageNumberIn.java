package com.hostkey.invapi.simulator;

/** Where a {@code "result":"Stage"} answer carries the stage number (not documented by Hostkey). */
public enum StageNumberIn {
    /** {@code "scope":"Stage 2: base OS was installed, ..."}. */
    SCOPE_TEXT,
    /** {@code "context":{..., "stage":2}} and a scope without a number. */
    CONTEXT,
    /** Nowhere: the client must count the answers. */
    ORDER_ONLY
}

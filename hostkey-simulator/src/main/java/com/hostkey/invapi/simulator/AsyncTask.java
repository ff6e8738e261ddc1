package com.hostkey.invapi.simulator;

import java.time.Instant;

/** The callback key of one async action: "Not ready" until {@code dueAt}, then one final answer. */
final class AsyncTask {

    final String key;
    final String action;
    final long serverId;
    final String location;
    final Instant dueAt;
    /** Null when the task succeeds, else why it failed. */
    final String failureReason;
    /** Set when the effect ran: what the OK answer's scope says. */
    String scope;

    AsyncTask(String key, String action, long serverId, String location, Instant dueAt, String failureReason) {
        this.key = key;
        this.action = action;
        this.serverId = serverId;
        this.location = location;
        this.dueAt = dueAt;
        this.failureReason = failureReason;
    }
}

package com.hostkey.invapi.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** Audit entries in arrival order: a call takes its place when it arrives and is recorded when answered. */
final class AuditLog {

    private final AtomicLong arrivals = new AtomicLong();
    private final ConcurrentSkipListMap<Long, AuditEntry> entries = new ConcurrentSkipListMap<>();

    long arrive() {
        return arrivals.incrementAndGet();
    }

    void record(long arrival, AuditEntry entry) {
        entries.put(arrival, entry);
    }

    List<AuditEntry> entries() {
        return new ArrayList<>(entries.values());
    }

    void clear() {
        entries.clear();
    }
}

package com.hostkey.reinstall.poller;

import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import java.time.Instant;

/**
 * One eq_callback key the poller watches. {@code action} is null for a reinstall master key, whose
 * answers are installer stages; {@code lastStage} is the highest stage already published.
 */
final class WatchedKey {

    final long serverId;
    final String reinstallId;
    final String key;
    final AsyncActionKind action;
    volatile int lastStage;
    /**
     * The projector's deadline for this wait, or null: nearer deadlines are checked first. Set through
     * {@link DueIndex#changeDeadline} once the key is indexed, as it orders the due keys.
     */
    volatile Instant deadline;
    /** When the key is next due. Written by the key's check while it is in flight (out of the {@link DueIndex}). */
    volatile Instant nextCheck;
    /** False: the key is not in the {@link DueIndex}'s due heap (true: it may be). Loop thread only. */
    boolean queuedDue;
    /**
     * The key was first seen while fresh: its first answer teaches the {@link CheckSchedule} how long
     * its kind takes. Written and read only by the check of this key (never two at once).
     */
    boolean teachesSchedule;

    WatchedKey(long serverId, String reinstallId, String key, AsyncActionKind action, int lastStage, Instant nextCheck) {
        this.serverId = serverId;
        this.reinstallId = reinstallId;
        this.key = key;
        this.action = action;
        this.lastStage = lastStage;
        this.nextCheck = nextCheck;
    }

    boolean isMasterKey() {
        return action == null;
    }
}

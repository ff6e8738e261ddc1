package com.hostkey.reinstall.handler;

import com.hostkey.reinstall.schemas.avro.CallIntent;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import org.apache.kafka.common.TopicPartition;

/**
 * One step command from its poll to the commit of its outcome. The loop thread owns it, except
 * {@link #outcome}, which the call's virtual thread sets before handing the work back.
 */
final class Work {

    final TopicPartition partition;
    final long offset;
    /** The record key: the server id. */
    final String server;
    final StepCommand command;
    /** Redelivered with its intent still open: the call may have been applied and is not repeated. */
    final boolean outcomeUnknown;
    /** Recorded before the call, for calls that must not be repeated blindly; null otherwise. */
    final CallIntent intent;
    /** Its partition moved on: whatever it answers is not published by this instance. */
    volatile boolean abandoned;
    volatile ReinstallEvent outcome;
    /** Its outcome is on the events topic already (a read-only step's, published ahead of the turn's transaction). */
    volatile boolean publishedAhead;

    Work(TopicPartition partition, long offset, String server, StepCommand command, boolean outcomeUnknown, CallIntent intent) {
        this.partition = partition;
        this.offset = offset;
        this.server = server;
        this.command = command;
        this.outcomeUnknown = outcomeUnknown;
        this.intent = intent;
    }

    @Override
    public String toString() {
        return partition + "@" + offset + " server " + server;
    }
}

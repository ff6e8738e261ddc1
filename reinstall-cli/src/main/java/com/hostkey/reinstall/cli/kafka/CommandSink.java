package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.schemas.avro.ReinstallRequest;

/** Where upstream commands go: reinstall-requests, keyed by server id. */
public interface CommandSink extends AutoCloseable {

    /** Publishes and waits for the broker's acknowledgement. */
    Published publish(ReinstallRequest command);

    @Override
    void close();

    /** Where the command landed. */
    record Published(String topic, int partition, long offset) {}
}

package com.hostkey.reinstall.bench;

import java.util.List;
import java.util.Map;

/**
 * One figure of issue 8. The harness opens a {@link Trial} once (the infrastructure the runs
 * share), calls {@link Trial#run} {@link Profile#runs()} times and reports every metric's median
 * and spread over the runs against its target.
 */
public interface Benchmark {

    /** The figure's number in issue 8 (1-7). */
    int figure();

    String title();

    /** The target as the issue states it, in words. */
    String targetText();

    /** Every metric a run reports, in table order; the ones with a target decide the verdict. */
    List<MetricSpec> metrics(Profile profile);

    /** The sizes and settings this figure runs with under {@code profile}, for the table. */
    Map<String, Object> parameters(Profile profile);

    /** Sets up what the runs share (cluster, simulator, services, recorded input). */
    Trial open(BenchContext context) throws Exception;

    /** The infrastructure of one figure; closed after the last run. */
    interface Trial extends AutoCloseable {

        /** One measured run; {@code index} counts from 1. */
        Measurement run(int index) throws Exception;

        @Override
        void close();
    }
}

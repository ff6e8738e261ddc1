package com.hostkey.reinstall.bench.infra;

import com.hostkey.invapi.simulator.HostkeySimulator;
import java.time.Duration;
import java.time.Instant;

/**
 * Maps the simulator's simulated instants (its audit's {@code at}, install stage times) to the
 * wall clock: simulated time runs {@code timeScale} times faster from a common origin, so one pair
 * of readings taken together fixes the mapping.
 */
public final class SimulatedClockMapping {

    private final Instant simulatedAnchor;
    private final Instant wallAnchor;
    private final double timeScale;

    public SimulatedClockMapping(HostkeySimulator simulator) {
        this.wallAnchor = Instant.now();
        this.simulatedAnchor = simulator.clock().now();
        this.timeScale = simulator.clock().timeScale();
    }

    /** The wall-clock instant at which the simulator's clock showed {@code simulated}. */
    public Instant toWall(Instant simulated) {
        long simulatedNanos = Duration.between(simulatedAnchor, simulated).toNanos();
        return wallAnchor.plusNanos((long) (simulatedNanos / timeScale));
    }

    /** Epoch millis (fractional) of {@link #toWall}. */
    public double toWallMillis(Instant simulated) {
        Instant wall = toWall(simulated);
        return wall.getEpochSecond() * 1000.0 + wall.getNano() / 1e6;
    }
}

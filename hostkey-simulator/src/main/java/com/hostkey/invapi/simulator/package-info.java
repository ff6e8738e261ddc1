/**
 * A simulator of Hostkey's invapi (docs/hostkey-invapi.md) for tests and local runs.
 *
 * <p>Public API: {@link com.hostkey.invapi.simulator.HostkeySimulator} (start, inspect, close),
 * {@link com.hostkey.invapi.simulator.SimulatorConfig} (every undocumented behaviour is a setting, with
 * its enums {@link com.hostkey.invapi.simulator.StageNumberIn}, {@link com.hostkey.invapi.simulator.StageDelivery}
 * and {@link com.hostkey.invapi.simulator.ErrorWording}),
 * {@link com.hostkey.invapi.simulator.Faults} and {@link com.hostkey.invapi.simulator.FaultRule}
 * (fault injection), {@link com.hostkey.invapi.simulator.SimClock}, the value records
 * ({@link com.hostkey.invapi.simulator.AuditEntry}, {@link com.hostkey.invapi.simulator.ServerSnapshot},
 * {@link com.hostkey.invapi.simulator.InvariantReport}, {@link com.hostkey.invapi.simulator.ServerSpec},
 * {@link com.hostkey.invapi.simulator.Account}, {@link com.hostkey.invapi.simulator.OsImage}),
 * {@link com.hostkey.invapi.simulator.FleetFile} and {@link com.hostkey.invapi.simulator.SimulatorMain}.
 * Everything else in this package is package-private on purpose: the engine cannot be reached
 * from outside, so callers can only observe the simulator the way a test would.
 */
package com.hostkey.invapi.simulator;

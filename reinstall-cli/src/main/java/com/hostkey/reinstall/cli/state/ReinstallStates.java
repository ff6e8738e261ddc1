package com.hostkey.reinstall.cli.state;

import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The state projector's query API, as the CLI uses it. */
public interface ReinstallStates {

    /** The server's reinstall state; empty when the projector knows none. */
    Optional<ReinstallStateView> reinstall(long serverId);

    /**
     * The server's history in the projector's words, oldest first, across its reinstalls: the last
     * entries the projector keeps (100). Empty when it keeps none for the server.
     */
    List<HistoryEntryView> history(long serverId);

    /**
     * The states with one of {@code phases} (all when empty) at {@code location} (any when null),
     * at most {@code limit} of them (newest first, as the projector orders them), filtered here
     * whether or not the projector filtered them.
     */
    List<ReinstallStateView> list(Set<ReinstallPhase> phases, String location, int limit);
}

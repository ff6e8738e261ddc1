package com.hostkey.reinstall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.state.HistoryEntryView;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.cli.state.ReinstallStates;
import com.hostkey.reinstall.cli.state.StateClient;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A scripted state projector, answering projector JSON read as {@link StateClient} reads it. Each
 * server's answers come in rounds, one per look of a watch: a state request takes the next round
 * (the last one stays), a history request answers from the round of the latest state request.
 */
public final class FakeProjector implements ReinstallStates {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Long, Script> servers = new HashMap<>();
    /** When set, every request fails with it. */
    public RuntimeException failure;
    public Set<ReinstallPhase> listedPhases;
    public String listedLocation;
    public List<ReinstallStateView> listAnswer = new ArrayList<>();

    /** The server's script, begun when first asked for. */
    public Script server(long serverId) {
        return servers.computeIfAbsent(serverId, id -> new Script());
    }

    /** One server's answers, round by round. */
    public static final class Script {
        private record Round(String state, String history, RuntimeException failure) {}

        private final List<Round> rounds = new ArrayList<>();
        private String lastHistory;
        public int stateRequests;
        public int historyRequests;

        /** The history answered to a history request made without a state request: a watch's last look after the end. */
        public Script atLastLook(String historyJson) {
            lastHistory = historyJson;
            return this;
        }

        /** A round answering this state and history; null for 404. */
        public Script then(String stateJson, String historyJson) {
            rounds.add(new Round(stateJson, historyJson, null));
            return this;
        }

        /** A round in which both requests fail with {@code failure}. */
        public Script thenFails(RuntimeException failure) {
            rounds.add(new Round(null, null, failure));
            return this;
        }

        private Round round(int index) {
            return rounds.isEmpty() ? new Round(null, null, null) : rounds.get(Math.max(0, Math.min(index, rounds.size() - 1)));
        }
    }

    @Override
    public Optional<ReinstallStateView> reinstall(long serverId) {
        failIfSet();
        Script script = server(serverId);
        Script.Round round = script.round(script.stateRequests++);
        if (round.failure() != null) {
            throw round.failure();
        }
        return Optional.ofNullable(round.state()).map(json -> ReinstallStateView.from(parse(json)));
    }

    @Override
    public List<HistoryEntryView> history(long serverId) {
        failIfSet();
        Script script = server(serverId);
        if (++script.historyRequests > script.stateRequests && script.lastHistory != null) {
            return HistoryEntryView.listFrom(parse(script.lastHistory));
        }
        Script.Round round = script.round(script.stateRequests - 1);
        if (round.failure() != null) {
            throw round.failure();
        }
        return round.history() == null ? List.of() : HistoryEntryView.listFrom(parse(round.history()));
    }

    @Override
    public List<ReinstallStateView> list(Set<ReinstallPhase> phases, String location, int limit) {
        failIfSet();
        listedPhases = phases;
        listedLocation = location;
        return listAnswer;
    }

    private void failIfSet() {
        if (failure != null) {
            throw failure;
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

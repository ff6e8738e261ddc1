package com.hostkey.invapi.simulator;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The fault-injection handle of a running simulator; changes apply to the next call.
 *
 * <p>Transport and response faults live in {@link FaultRule}s: one {@link #global()} rule for
 * every call and one per call ({@link #on(String, String)}, e.g. {@code on("eq", "reboot")});
 * when both fire the call-specific one wins. Installer and Jenkins faults are set here, for all
 * servers or one server (the per-server setting wins).
 *
 * <p>Draws come from one random generator seeded with {@link #seed(long)}; with a fixed seed and
 * calls made one after another, the same faults fire in the same places on every run. A rate of
 * 1.0 fires without drawing.
 */
public final class Faults {

    private static final int NONE = 0;
    private static final long ALL_SERVERS = Long.MIN_VALUE;

    private SplittableRandom random;
    private final FaultRule global = new FaultRule("*");
    private final Map<String, FaultRule> rules = new HashMap<>();
    private final Map<Long, Integer> stallAt = new HashMap<>();
    private final Map<Long, Integer> failAt = new HashMap<>();
    private final Set<Long> missesPxe = new HashSet<>();
    private final Set<String> failingJenkinsTasks = new HashSet<>();
    private boolean allJenkinsTasksFail;

    Faults(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Restarts the random draws from {@code seed}. */
    public synchronized Faults seed(long seed) {
        this.random = new SplittableRandom(seed);
        return this;
    }

    /** The rule every call is subject to. */
    public FaultRule global() {
        return global;
    }

    /** The rule for one call, created empty on first use; e.g. {@code on("eq", "reboot")}. */
    public synchronized FaultRule on(String module, String action) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(action, "action");
        return rules.computeIfAbsent(module + "/" + action, FaultRule::new);
    }

    /** Every install reaches {@code stage} (1..4) and then never reports again. */
    public Faults installStallsAt(int stage) {
        return installStallsAt(ALL_SERVERS, stage);
    }

    /** Installs on {@code serverId} reach {@code stage} (1..4) and then never report again. */
    public synchronized Faults installStallsAt(long serverId, int stage) {
        stallAt.put(serverId, stage(stage, 4));
        return this;
    }

    /** Every install fails at {@code stage} (1..5): the master key answers {@code Error} once. */
    public Faults installFailsAt(int stage) {
        return installFailsAt(ALL_SERVERS, stage);
    }

    /** Installs on {@code serverId} fail at {@code stage} (1..5). */
    public synchronized Faults installFailsAt(long serverId, int stage) {
        failAt.put(serverId, stage(stage, 5));
        return this;
    }

    /** No server catches PXE: reboots complete, but no install starts. */
    public Faults neverCatchPxe() {
        return neverCatchPxe(ALL_SERVERS);
    }

    /** {@code serverId} never catches PXE: its reboots complete, but no install starts. */
    public synchronized Faults neverCatchPxe(long serverId) {
        missesPxe.add(serverId);
        return this;
    }

    /** Runs of Jenkins task {@code taskId} fail: their callback key answers {@code Error}. */
    public synchronized Faults jenkinsTaskFails(String taskId) {
        failingJenkinsTasks.add(Objects.requireNonNull(taskId, "taskId"));
        return this;
    }

    /** Every Jenkins task run fails. */
    public synchronized Faults jenkinsTasksFail() {
        allJenkinsTasksFail = true;
        return this;
    }

    /** Removes every fault (rules, installer and Jenkins faults); the seed stays. */
    public synchronized void clear() {
        global.clear();
        rules.clear();
        stallAt.clear();
        failAt.clear();
        missesPxe.clear();
        failingJenkinsTasks.clear();
        allJenkinsTasksFail = false;
    }

    /**
     * Every fault set now, as {@code GET /_sim/faults} answers it: {@code global} and
     * {@code calls} (per {@code module/action}) hold the rules that inject something (see
     * {@link FaultRule}), then the installer and Jenkins faults; server ids are {@code "*"} for
     * all servers.
     */
    synchronized Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("global", global.describe());
        Map<String, Object> calls = new TreeMap<>();
        rules.forEach((target, rule) -> {
            Map<String, Object> d = rule.describe();
            if (!d.isEmpty()) {
                calls.put(target, d);
            }
        });
        out.put("calls", calls);
        out.put("install_stalls", byServer(stallAt));
        out.put("install_fails", byServer(failAt));
        out.put("never_catch_pxe", missesPxe.stream().map(Faults::serverName).collect(Collectors.toCollection(TreeSet::new)));
        out.put("jenkins_task_fails", allJenkinsTasksFail ? Set.of("*") : new TreeSet<>(failingJenkinsTasks));
        return out;
    }

    private static Map<String, Integer> byServer(Map<Long, Integer> stages) {
        Map<String, Integer> out = new TreeMap<>();
        stages.forEach((server, stage) -> out.put(serverName(server), stage));
        return out;
    }

    private static String serverName(long serverId) {
        return serverId == ALL_SERVERS ? "*" : Long.toString(serverId);
    }

    synchronized FaultPlan plan(String module, String action) {
        FaultRule specific = rules.get(module + "/" + action);
        FaultPlan plan = specific == null ? FaultPlan.NONE : specific.draw(random);
        return plan.combine(global.draw(random));
    }

    /** The stage installs on this server stall at, 0 for none. */
    synchronized int stallStage(long serverId) {
        return stallAt.getOrDefault(serverId, stallAt.getOrDefault(ALL_SERVERS, NONE));
    }

    /** The stage installs on this server fail at, 0 for none. */
    synchronized int failStage(long serverId) {
        return failAt.getOrDefault(serverId, failAt.getOrDefault(ALL_SERVERS, NONE));
    }

    synchronized boolean missesPxe(long serverId) {
        return missesPxe.contains(serverId) || missesPxe.contains(ALL_SERVERS);
    }

    synchronized boolean failsJenkinsTask(String taskId) {
        return allJenkinsTasksFail || failingJenkinsTasks.contains(taskId);
    }

    private static int stage(int stage, int max) {
        if (stage < 1 || stage > max) {
            throw new IllegalArgumentException("stage must be within 1.." + max + ", was " + stage);
        }
        return stage;
    }
}

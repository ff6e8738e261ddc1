package com.hostkey.reinstall.projector.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.projector.dashboard.OperatorActions.ActionFailedException;
import com.hostkey.reinstall.projector.http.BadRequest;
import com.hostkey.reinstall.projector.http.Caller;
import com.hostkey.reinstall.projector.http.Reply;
import com.hostkey.reinstall.projector.http.Request;
import com.hostkey.reinstall.projector.http.Route;
import com.hostkey.reinstall.projector.http.Route.Access;
import com.hostkey.reinstall.projector.query.FleetSummary;
import com.hostkey.reinstall.projector.query.InstanceRouter;
import com.hostkey.reinstall.projector.query.InstanceRouter.Gathering;
import com.hostkey.reinstall.projector.query.InstanceRouter.KeyLookup;
import com.hostkey.reinstall.projector.query.InstanceRouter.LocalRead;
import com.hostkey.reinstall.projector.query.ReinstallQuery;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.projector.saga.TimelineEntries;
import com.hostkey.reinstall.projector.saga.TimelineStore;
import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * The fleet dashboard's endpoints on the query port:
 *
 * <ul>
 *   <li>{@code GET /} and {@code GET /dashboard/*}: the page ({@link DashboardPage}), static files
 *       only, served without a token (every data call the page makes carries one). Strict
 *       Content-Security-Policy.</li>
 *   <li>{@code GET /whoami}: {@code {"operator": name or null, "canWrite": bool}} for the token presented.</li>
 *   <li>{@code GET /reinstalls/{serverId}/history}: the server's timeline ({@link HistoryView}, store
 *       {@value ReinstallTopology#HISTORY_STORE}), oldest first, from the owning instance (the others
 *       forward with {@code ?local=true}).</li>
 *   <li>{@code GET /fleet/summary}: counts by phase and location, finished per hour over the last
 *       24 h, failures by kind ({@link FleetSummary}), gathered from every instance
 *       ({@code ?local=true}: this instance's share).</li>
 *   <li>{@code POST /reinstalls/{serverId}/cancel} and {@code POST /reinstalls/{serverId}/release},
 *       optional body {@code {"reason": "..."}}: need a write token (403 for a read token); publish
 *       CancelReinstall / ReleaseServer issued by {@code dashboard:<operator>} ({@link OperatorActions})
 *       and answer 202 with the command id. A token in the Authorization header is the only
 *       credential (no cookies), so a cross-site form cannot act.</li>
 * </ul>
 * Keys and fleet-wide questions go through the {@link InstanceRouter}; errors are the query API's.
 */
public final class DashboardRoutes implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATA_NOT_ALLOWED = "method not allowed: GET, HEAD";
    private static final int MAX_ACTION_BODY = 4096;
    private static final int MAX_REASON = 200;

    /**
     * A server's timeline in this instance's store: one record per entry, none when it has no entry.
     * The lookup still names its owner by the server id: every entry is written by the task that owns the server.
     */
    private static final LocalRead<HistoryEntry, List<HistoryEntry>> TIMELINE = (store, serverKey) -> {
        List<HistoryEntry> timeline = TimelineStore.timeline(store, serverKey);
        return timeline.isEmpty() ? null : timeline;
    };

    private final InstanceRouter router;
    private final int quarantineAfter;
    private final Clock clock = Clock.systemUTC();
    private final DashboardPage page = new DashboardPage();
    private volatile OperatorActions actions;

    /** @param quarantineAfter consecutive failures after which a server is quarantined, counted in the summary */
    public DashboardRoutes(InstanceRouter router, int quarantineAfter) {
        this.router = router;
        this.quarantineAfter = quarantineAfter;
    }

    /** Enables cancel and release; closed with this. */
    public void operatorActions(OperatorActions actions) {
        this.actions = actions;
    }

    /** The page, the actions and the data, deeper {@code /reinstalls/{serverId}/...} paths among them. */
    public List<Route> routes() {
        return List.of(
                page.route(),
                Route.post("/reinstalls/(\\d{1,18})/(cancel|release)", Access.TOKEN, "method not allowed: operator actions are POST",
                        this::act),
                Route.get("/reinstalls/(\\d{1,18})/history", Access.TOKEN, DATA_NOT_ALLOWED, this::history),
                Route.get("/whoami", Access.TOKEN, DATA_NOT_ALLOWED, this::whoami),
                Route.get("/fleet/summary", Access.TOKEN, DATA_NOT_ALLOWED, this::summary));
    }

    private Reply whoami(Request request) {
        Map<String, Object> whoami = new LinkedHashMap<>();
        whoami.put("operator", request.caller() instanceof Caller.Operator operator ? operator.name() : null);
        whoami.put("canWrite", request.caller() instanceof Caller.Operator && actions != null);
        whoami.put("authenticated", request.token() != null);
        return new Reply.Json(200, whoami);
    }

    private Reply history(Request request) {
        long serverId = Long.parseLong(request.pathGroup(1));
        String serverKey = String.valueOf(serverId);
        KeyLookup<List<HistoryEntry>> lookup = new KeyLookup<>(ReinstallTopology.HISTORY_STORE, serverKey,
                "/reinstalls/" + serverKey + "/history?" + InstanceRouter.LOCAL_ONLY, entries -> HistoryView.of(serverId, entries),
                "no history known for server " + serverKey, TIMELINE);
        return router.byKey(lookup, ReinstallQuery.localOnly(request.rawQuery()), request.token());
    }

    private Reply summary(Request request) {
        Gathering gathering = new Gathering(ReinstallTopology.STATE_STORE, () -> localSummary().share(),
                "/fleet/summary?" + InstanceRouter.LOCAL_ONLY, (shares, instances) -> {
                    FleetSummary summary = new FleetSummary(clock.instant(), quarantineAfter);
                    shares.forEach(summary::add);
                    return summary.answer(instances);
                });
        return router.gather(gathering, ReinstallQuery.localOnly(request.rawQuery()), request.token());
    }

    private FleetSummary localSummary() {
        FleetSummary summary = new FleetSummary(clock.instant(), quarantineAfter);
        try (KeyValueIterator<String, ReinstallState> all = router.<ReinstallState>localStore(ReinstallTopology.STATE_STORE).all()) {
            while (all.hasNext()) {
                KeyValue<String, ReinstallState> next = all.next();
                if (next.value != null) {
                    summary.count(next.value);
                }
            }
        }
        return summary;
    }

    private Reply act(Request request) throws IOException {
        long serverId = Long.parseLong(request.pathGroup(1));
        String action = request.pathGroup(2);
        if (!(request.caller() instanceof Caller.Operator operator)) {
            return new Reply.Error(403, "this token may only read: " + action + " needs an operator's write token "
                    + "(PROJECTOR_API_WRITE_TOKENS)");
        }
        OperatorActions publisher = actions;
        if (publisher == null) {
            return new Reply.Unavailable("operator actions are not available on this instance");
        }
        String reason = reason(request.body(MAX_ACTION_BODY));
        try {
            String commandId = action.equals("cancel")
                    ? publisher.cancel(serverId, operator.name(), reason)
                    : publisher.release(serverId, operator.name(), reason);
            Map<String, Object> accepted = new LinkedHashMap<>();
            accepted.put("commandId", commandId);
            accepted.put("serverId", serverId);
            accepted.put("command", action.equals("cancel") ? "CancelReinstall" : "ReleaseServer");
            accepted.put("issuedBy", OperatorActions.ISSUER_PREFIX + operator.name());
            accepted.put("status", 202);
            return new Reply.Json(202, accepted);
        } catch (ActionFailedException e) {
            return new Reply.Unavailable(e.getMessage());
        }
    }

    /** The optional {@code {"reason": "..."}} body: at most {@value #MAX_REASON} characters, one line. */
    private static String reason(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return null;
        }
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (IOException e) {
            throw new BadRequest("the body must be a JSON object such as {\"reason\": \"...\"}");
        }
        if (json == null || !json.isObject()) {
            throw new BadRequest("the body must be a JSON object such as {\"reason\": \"...\"}");
        }
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        if (fields.stream().anyMatch(f -> !f.equals("reason"))) {
            throw new BadRequest("the body may hold only \"reason\"");
        }
        JsonNode reason = json.get("reason");
        if (reason == null || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual()) {
            throw new BadRequest("reason must be a string");
        }
        String cut = TimelineEntries.cut(reason.asText().strip());
        if (cut.codePointCount(0, cut.length()) > MAX_REASON) {
            cut = cut.substring(0, cut.offsetByCodePoints(0, MAX_REASON)) + "…";
        }
        return cut.isEmpty() ? null : cut;
    }

    @Override
    public void close() {
        OperatorActions publisher = actions;
        if (publisher != null) {
            publisher.close();
        }
    }
}

package com.hostkey.reinstall.projector.query;

import com.hostkey.reinstall.projector.http.ApiErrors;
import com.hostkey.reinstall.projector.http.BadRequest;
import com.hostkey.reinstall.projector.http.Reply;
import com.hostkey.reinstall.projector.http.Request;
import com.hostkey.reinstall.projector.http.Route;
import com.hostkey.reinstall.projector.http.Route.Access;
import com.hostkey.reinstall.projector.query.InstanceRouter.Gathering;
import com.hostkey.reinstall.projector.query.InstanceRouter.KeyLookup;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * The state API, read from store {@value ReinstallTopology#STATE_STORE} (token needed):
 *
 * <ul>
 *   <li>{@code GET /reinstalls/{serverId}}: one server's state ({@link StateView}, 1-18 digits), from
 *       the instance that owns it; the others forward ({@link InstanceRouter#byKey}).</li>
 *   <li>{@code GET /reinstalls?phase=P&phase=Q&location=L&limit=N}: the fleet's states, newest
 *       {@code updatedAt} first, at most {@code limit} (1..1000, default 100), gathered from every
 *       instance ({@link InstanceRouter#gather}); {@code local=true} answers this instance's share.</li>
 *   <li>any other {@code /reinstalls/...} path: 400, a malformed server id. The dashboard's deeper
 *       paths ({@code /reinstalls/{serverId}/history}, {@code .../cancel}) are routed before these.</li>
 * </ul>
 */
public final class StateRoutes {

    private static final Comparator<ReinstallState> OLDEST_FIRST = Comparator
            .comparing(ReinstallState::getUpdatedAt).thenComparing(ReinstallState::getServerId, Comparator.reverseOrder());
    /** The same order over views, as shares arrive from other instances. */
    private static final Comparator<Map<String, Object>> NEWEST_VIEW_FIRST = Comparator
            .<Map<String, Object>, Instant>comparing(v -> Instant.parse((String) v.get("updatedAt")))
            .thenComparing(v -> ((Number) v.get("serverId")).longValue(), Comparator.reverseOrder())
            .reversed();

    private final InstanceRouter router;
    private final int quarantineAfter;

    /** @param quarantineAfter consecutive failures after which a server is quarantined, shown with each state */
    public StateRoutes(InstanceRouter router, int quarantineAfter) {
        this.router = router;
        this.quarantineAfter = quarantineAfter;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/reinstalls/(\\d{1,18})", Access.TOKEN, Route.READ_ONLY, this::one),
                Route.get("/reinstalls/(.*)", Access.TOKEN, Route.READ_ONLY, request -> {
                    throw new BadRequest("server id must be 1-18 digits, got '" + ApiErrors.excerpt(request.pathGroup(1)) + "'");
                }),
                Route.get("/reinstalls", Access.TOKEN, Route.READ_ONLY, this::list));
    }

    private Reply one(Request request) {
        String serverKey = String.valueOf(Long.parseLong(request.pathGroup(1)));
        KeyLookup<ReinstallState> lookup = new KeyLookup<>(ReinstallTopology.STATE_STORE, serverKey,
                "/reinstalls/" + serverKey + "?" + InstanceRouter.LOCAL_ONLY, state -> StateView.of(state, quarantineAfter),
                "no reinstall known for server " + serverKey);
        return router.byKey(lookup, ReinstallQuery.localOnly(request.rawQuery()), request.token());
    }

    private Reply list(Request request) {
        ReinstallQuery query = ReinstallQuery.forList(request.rawQuery());
        Gathering gathering = new Gathering(ReinstallTopology.STATE_STORE, () -> listing(localTop(query), query, 1),
                "/reinstalls?" + query.forwardQuery(), (shares, instances) -> merge(shares, query, instances));
        return router.gather(gathering, query.local(), request.token());
    }

    /** The listing of the instances' shares: their states, newest first, at most the query's limit. */
    static Map<String, Object> merge(List<Map<String, Object>> shares, ReinstallQuery query, int instances) {
        List<Map<String, Object>> merged = new ArrayList<>();
        for (Map<String, Object> share : shares) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> views = (List<Map<String, Object>>) share.get("reinstalls");
            if (views != null) {
                merged.addAll(views);
            }
        }
        merged.sort(NEWEST_VIEW_FIRST);
        return listing(merged.subList(0, Math.min(query.limit(), merged.size())), query, instances);
    }

    /** This instance's newest {@code limit} matching states, newest first: one pass, a bounded heap. */
    private List<Map<String, Object>> localTop(ReinstallQuery query) {
        PriorityQueue<ReinstallState> top = new PriorityQueue<>(OLDEST_FIRST);
        try (KeyValueIterator<String, ReinstallState> all = router.<ReinstallState>localStore(ReinstallTopology.STATE_STORE).all()) {
            while (all.hasNext()) {
                KeyValue<String, ReinstallState> next = all.next();
                if (next.value != null && query.matches(next.value)) {
                    top.add(next.value);
                    if (top.size() > query.limit()) {
                        top.poll();
                    }
                }
            }
        }
        List<ReinstallState> newestFirst = new ArrayList<>(top);
        newestFirst.sort(OLDEST_FIRST.reversed());
        return newestFirst.stream().map(s -> StateView.of(s, quarantineAfter)).toList();
    }

    private static Map<String, Object> listing(List<Map<String, Object>> views, ReinstallQuery query, int instances) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reinstalls", views);
        body.put("count", views.size());
        body.put("limit", query.limit());
        body.put("instances", instances);
        return body;
    }
}

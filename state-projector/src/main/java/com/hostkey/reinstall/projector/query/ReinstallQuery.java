package com.hostkey.reinstall.projector.query;

import com.hostkey.reinstall.projector.http.ApiErrors;
import com.hostkey.reinstall.projector.http.BadRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated parameters of a query: {@code phase} (repeatable, a {@link ReinstallPhase} name),
 * {@code location} ({@code [A-Za-z0-9-]{1,16}}), {@code limit} (1..{@value #MAX_LIMIT}, default
 * {@value #DEFAULT_LIMIT}) and {@code local} ({@code true}: only this instance's states, as
 * instances ask each other, see {@link InstanceRouter}). Anything else is a {@link BadRequest}.
 */
public record ReinstallQuery(Set<ReinstallPhase> phases, String location, int limit, boolean local) {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int MAX_QUERY_LENGTH = 2048;
    private static final int MAX_PARAMETERS = 64;
    private static final Pattern LOCATION = Pattern.compile("[A-Za-z0-9-]{1,16}");
    private static final Pattern LIMIT = Pattern.compile("\\d{1,4}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_]{1,32}");
    private static final Set<String> LIST_PARAMETERS = Set.of("phase", "location", "limit", "local");
    private static final Set<String> ONE_PARAMETERS = Set.of("local");

    public ReinstallQuery {
        phases = phases.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(phases));
    }

    /** The parameters of {@code GET /reinstalls}. */
    static ReinstallQuery forList(String rawQuery) {
        Map<String, List<String>> params = parse(rawQuery, LIST_PARAMETERS);
        Set<ReinstallPhase> phases = EnumSet.noneOf(ReinstallPhase.class);
        for (String phase : params.getOrDefault("phase", List.of())) {
            try {
                phases.add(ReinstallPhase.valueOf(phase));
            } catch (IllegalArgumentException e) {
                throw new BadRequest("phase must be one of " + List.of(ReinstallPhase.values()) + ", got '" + ApiErrors.excerpt(phase) + "'");
            }
        }
        String location = single(params, "location");
        if (location != null && !LOCATION.matcher(location).matches()) {
            throw new BadRequest("location must be 1-16 characters of A-Z a-z 0-9 -, got '" + ApiErrors.excerpt(location) + "'");
        }
        String limitText = single(params, "limit");
        int limit = DEFAULT_LIMIT;
        if (limitText != null) {
            if (!LIMIT.matcher(limitText).matches() || Integer.parseInt(limitText) < 1 || Integer.parseInt(limitText) > MAX_LIMIT) {
                throw new BadRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + ApiErrors.excerpt(limitText) + "'");
            }
            limit = Integer.parseInt(limitText);
        }
        return new ReinstallQuery(phases, location, limit, local(params));
    }

    /**
     * The parameters of an endpoint that takes only {@code local} ({@code GET /reinstalls/{serverId}},
     * its history, the fleet summary): whether it was asked for this instance's answer alone.
     */
    public static boolean localOnly(String rawQuery) {
        return local(parse(rawQuery, ONE_PARAMETERS));
    }

    boolean matches(ReinstallState state) {
        return (phases.isEmpty() || phases.contains(state.getPhase()))
                && (location == null || location.equalsIgnoreCase(state.getLocation()));
    }

    /** The query string that asks another instance for its share of this query. */
    String forwardQuery() {
        StringBuilder query = new StringBuilder();
        phases.forEach(p -> query.append("phase=").append(p.name()).append('&'));
        if (location != null) {
            query.append("location=").append(location).append('&');
        }
        return query.append("limit=").append(limit).append('&').append(InstanceRouter.LOCAL_ONLY).toString();
    }

    private static boolean local(Map<String, List<String>> params) {
        String local = single(params, "local");
        if (local == null || local.equals("false")) {
            return false;
        }
        if (local.equals("true")) {
            return true;
        }
        throw new BadRequest("local must be true or false, got '" + ApiErrors.excerpt(local) + "'");
    }

    private static String single(Map<String, List<String>> params, String name) {
        List<String> values = params.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw new BadRequest(name + " may be given once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    private static Map<String, List<String>> parse(String rawQuery, Set<String> allowed) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        if (rawQuery.length() > MAX_QUERY_LENGTH) {
            throw new BadRequest("query string longer than " + MAX_QUERY_LENGTH + " characters");
        }
        String[] pairs = rawQuery.split("&", -1);
        if (pairs.length > MAX_PARAMETERS) {
            throw new BadRequest("more than " + MAX_PARAMETERS + " query parameters");
        }
        for (String pair : pairs) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!NAME.matcher(name).matches() || !allowed.contains(name)) {
                throw new BadRequest("unknown query parameter '" + ApiErrors.excerpt(name) + "'; allowed: " + allowed.stream().sorted().toList());
            }
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("malformed percent-encoding in the query string");
        }
    }
}

package com.hostkey.reinstall.cli.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Client of the state projector's HTTP API: {@code GET /reinstalls/{serverId}},
 * {@code GET /reinstalls/{serverId}/history} and
 * {@code GET /reinstalls?phase=P&phase=Q&location=L&limit=N}. Sends {@code Authorization: Bearer
 * <token>} when a token is given. The list is filtered here as well, so the answer is right
 * whether or not the projector applies the filters, and whether it answers a bare array or
 * {@code {"reinstalls": [...]}}.
 */
public final class StateClient implements ReinstallStates {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    public StateClient(URI base, String token, Duration timeout) {
        this(base, token, HttpClient.newBuilder().connectTimeout(timeout).build(), timeout);
    }

    StateClient(URI base, String token, HttpClient http, Duration timeout) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.http = http;
        this.timeout = timeout;
    }

    @Override
    public Optional<ReinstallStateView> reinstall(long serverId) {
        HttpResponse<String> response = get("/reinstalls/" + serverId);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        requireOk(response);
        return Optional.of(ReinstallStateView.from(parse(response)));
    }

    @Override
    public List<HistoryEntryView> history(long serverId) {
        HttpResponse<String> response = get("/reinstalls/" + serverId + "/history");
        if (response.statusCode() == 404) {
            return List.of();
        }
        requireOk(response);
        return HistoryEntryView.listFrom(parse(response));
    }

    @Override
    public List<ReinstallStateView> list(Set<ReinstallPhase> phases, String location, int limit) {
        List<String> query = new ArrayList<>();
        phases.stream().sorted().forEach(phase -> query.add("phase=" + phase.name()));
        if (location != null) {
            query.add("location=" + URLEncoder.encode(location, StandardCharsets.UTF_8));
        }
        query.add("limit=" + limit);
        HttpResponse<String> response = get("/reinstalls?" + String.join("&", query));
        requireOk(response);
        JsonNode body = parse(response);
        JsonNode items = body.isArray() ? body : body.path("reinstalls");
        List<ReinstallStateView> states = new ArrayList<>();
        for (JsonNode item : items) {
            ReinstallStateView view = ReinstallStateView.from(item);
            boolean phaseMatches = phases.isEmpty() || (view.phase() != null && phases.contains(view.phase()));
            boolean locationMatches = location == null || location.equalsIgnoreCase(view.location());
            if (phaseMatches && locationMatches && states.size() < limit) {
                states.add(view);
            }
        }
        return states;
    }

    private HttpResponse<String> get(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw unavailable("did not answer within " + timeout.toSeconds() + "s", e);
        } catch (ConnectException e) {
            throw unavailable("refused the connection", e);
        } catch (IOException e) {
            throw unavailable("failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.INTERNAL, null, "interrupted while asking the state projector", null, e);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--projector", "the projector URL " + base + " is not a valid http(s) URL", "e.g. --projector http://127.0.0.1:8083");
        }
    }

    private void requireOk(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 200) {
            return;
        }
        String reason = errorText(response);
        if (status == 401 || status == 403) {
            throw new CliException(ExitCode.PERMISSION, "--token", "the state projector at " + base + " refused the request (HTTP "
                    + status + (reason == null ? "" : ": " + reason) + ")",
                    token == null ? "give an API token with --token or REINSTALL_API_TOKEN" : "check the token given with --token or REINSTALL_API_TOKEN");
        }
        if (status == 503 || status == 502) {
            throw new CliException(ExitCode.UNAVAILABLE, null, "the state projector at " + base + " is not ready (HTTP " + status
                    + (reason == null ? "" : ": " + reason) + ")", "retry shortly", null);
        }
        throw new CliException(ExitCode.UNAVAILABLE, null, "the state projector at " + base + " answered HTTP " + status
                + (reason == null ? "" : ": " + reason), null, null);
    }

    private JsonNode parse(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "--projector", "the state projector at " + base + " answered something that is not JSON",
                    "check that --projector (or REINSTALL_PROJECTOR_URL) names the state projector", e);
        }
    }

    private static String errorText(HttpResponse<String> response) {
        try {
            JsonNode error = JSON.readTree(response.body()).get("error");
            return error == null ? null : error.asText();
        } catch (IOException notJson) {
            return null;
        }
    }

    private CliException unavailable(String what, Exception cause) {
        return CliException.unavailable("the state projector at " + base + " " + what,
                "check that it runs and that --projector (or REINSTALL_PROJECTOR_URL) names it", cause);
    }
}

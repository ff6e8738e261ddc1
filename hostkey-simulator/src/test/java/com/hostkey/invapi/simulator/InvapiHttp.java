package com.hostkey.invapi.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** A minimal invapi caller over real HTTP for the tests: form POSTs, JSON answers. */
final class InvapiHttp {

    static final String API_KEY = "sim-api-key";
    static final String PIN = "1234";
    static final String ROOT_PASS = "Secr3t-Pass";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String baseUrl;

    InvapiHttp(HostkeySimulator sim) {
        this.baseUrl = sim.baseUrl();
    }

    /** POSTs {@code fields} (pairs name, value) to {@code /<module>.php} and parses the JSON answer. */
    JsonNode call(String module, String... fields) {
        HttpResponse<String> response = raw(module, Duration.ofSeconds(5), fields);
        if (response.statusCode() != 200) {
            throw new AssertionError("HTTP " + response.statusCode() + " from " + module + ": " + response.body());
        }
        return parse(response.body());
    }

    HttpResponse<String> raw(String module, Duration timeout, String... fields) {
        try {
            return send(module, timeout, fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> send(String module, Duration timeout, String... fields) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/" + module + ".php"))
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields)))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    HttpResponse<String> get(String pathAndQuery) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code method} to an admin path with an optional JSON body. */
    HttpResponse<String> admin(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(5));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String login() {
        return login(API_KEY);
    }

    String login(String apiKey) {
        JsonNode answer = call("auth", "action", "login", "key", apiKey);
        return answer.path("result").path("token").asText();
    }

    JsonNode check(String key) {
        return call("eq_callback", "action", "check", "key", key);
    }

    /** Polls a callback key until it answers anything but "Not ready"; bounded. */
    JsonNode awaitDone(String key) {
        JsonNode[] last = new JsonNode[1];
        await("callback " + key + " done", () -> {
            last[0] = check(key);
            return !"Not ready".equals(last[0].path("result").asText());
        });
        return last[0];
    }

    /** Calls an async eq action and waits for its callback to answer OK. */
    JsonNode asyncOk(String module, String... fields) {
        JsonNode accepted = call(module, fields);
        if (!"OK".equals(accepted.path("result").asText())) {
            throw new AssertionError("not accepted: " + accepted);
        }
        JsonNode done = awaitDone(accepted.path("callback").asText());
        if (!"OK".equals(done.path("result").asText())) {
            throw new AssertionError("async action did not complete OK: " + done);
        }
        return done;
    }

    static JsonNode parse(String body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    /** Polls {@code condition} every few milliseconds for at most five seconds. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    private static String form(String... fields) {
        if (fields.length % 2 != 0) {
            throw new IllegalArgumentException("fields come in name, value pairs");
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            pairs.put(fields[i], fields[i + 1]);
        }
        return pairs.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

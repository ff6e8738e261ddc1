package com.hostkey.invapi.client;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A MockWebServer that routes by {@code module/action} (from the path and the form), answers from
 * per-action queues of recorded bodies, and remembers every form it received. Logins are answered
 * by default with numbered 32-hex tokens valid for an hour of the test clock.
 */
final class FakeInvapi implements AutoCloseable {

    static final String API_KEY = "ak-SECRET-apikey-0123456789";
    static final String PIN = "7319";

    record Received(String moduleAction, Map<String, String> form) {}

    private final MockWebServer server = new MockWebServer();
    private final Map<String, Deque<MockResponse>> queued = new ConcurrentHashMap<>();
    private final Map<String, MockResponse> always = new ConcurrentHashMap<>();
    private final Map<String, Function<Map<String, String>, MockResponse>> answers = new ConcurrentHashMap<>();
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger logins = new AtomicInteger();
    private final Supplier<Instant> now;

    FakeInvapi(Supplier<Instant> now) throws Exception {
        this.now = now;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Map<String, String> form = parseForm(request.getBody() == null ? "" : request.getBody().utf8());
                String path = request.getUrl().encodedPath();
                String module = path.substring(path.lastIndexOf('/') + 1).replace(".php", "");
                String key = module + "/" + form.getOrDefault("action", "");
                synchronized (received) {
                    received.add(new Received(key, form));
                }
                Deque<MockResponse> q = queued.get(key);
                MockResponse next = null;
                if (q != null) {
                    synchronized (q) {
                        next = q.poll();
                    }
                }
                if (next != null) {
                    return next;
                }
                if (answers.containsKey(key)) {
                    return answers.get(key).apply(form);
                }
                if (always.containsKey(key)) {
                    return always.get(key);
                }
                if (key.equals("auth/login")) {
                    int n = logins.incrementAndGet();
                    return json("{\"result\":{\"token\":\"" + token(n) + "\",\"token_expire\":"
                            + (FakeInvapi.this.now.get().getEpochSecond() + 3600)
                            + ",\"servers\":[4242],\"invapi\":\"invapi.hostkey.com\"}}");
                }
                return json("{\"code\":-1,\"message\":\"fake: no answer for " + key + "\"}");
            }
        });
        server.start();
    }

    /** The n-th token the default login hands out. */
    static String token(int n) {
        return String.format("feedc0ffee%022d", n);
    }

    String baseUrl() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    void enqueue(String moduleAction, MockResponse... responses) {
        Deque<MockResponse> q = queued.computeIfAbsent(moduleAction, k -> new ArrayDeque<>());
        synchronized (q) {
            q.addAll(List.of(responses));
        }
    }

    /** Answers every request for {@code moduleAction} (once its queue is empty) from its form. */
    void answer(String moduleAction, Function<Map<String, String>, MockResponse> answer) {
        answers.put(moduleAction, answer);
    }

    void always(String moduleAction, MockResponse response) {
        always.put(moduleAction, response);
    }

    int logins() {
        return (int) count("auth/login");
    }

    long count(String moduleAction) {
        synchronized (received) {
            return received.stream().filter(r -> r.moduleAction().equals(moduleAction)).count();
        }
    }

    List<Map<String, String>> forms(String moduleAction) {
        synchronized (received) {
            return received.stream().filter(r -> r.moduleAction().equals(moduleAction)).map(Received::form).toList();
        }
    }

    Map<String, String> lastForm(String moduleAction) {
        List<Map<String, String>> all = forms(moduleAction);
        if (all.isEmpty()) {
            throw new AssertionError("no request for " + moduleAction);
        }
        return all.getLast();
    }

    static MockResponse json(String body) {
        return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json").body(body).build();
    }

    /** The body of a successful nested-shape login. */
    static String loginBody(String token, long expiresEpochSecond) {
        return "{\"result\":{\"token\":\"" + token + "\",\"token_expire\":" + expiresEpochSecond + ",\"servers\":[4242]}}";
    }

    static MockResponse status(int code, String body) {
        return new MockResponse.Builder().code(code).body(body).build();
    }

    static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.put(k, v);
        }
        return form;
    }

    @Override
    public void close() {
        server.close();
    }
}

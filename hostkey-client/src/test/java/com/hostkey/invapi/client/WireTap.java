package com.hostkey.invapi.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;
import okio.Buffer;

/**
 * A network interceptor that records every HTTP attempt the client's OkHttp makes, as it goes on
 * the wire: method, path, headers, the form, and the status and body that came back (or the
 * failure). OkHttp's own silent retries would show up here as extra attempts.
 */
final class WireTap implements Interceptor {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One attempt; {@code status} is -1 and {@code failure} set when no answer came back. */
    record Exchange(String method, String path, String contentType, Set<String> headerNames,
                    Map<String, String> form, int status, String body, IOException failure) {

        /** {@code module/action}, e.g. {@code eq/reboot}. */
        String call() {
            String module = path.substring(path.lastIndexOf('/') + 1).replace(".php", "");
            return module + "/" + form.getOrDefault("action", "");
        }

        /** The answer as JSON; fails the test when it is not JSON. */
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    @Override
    public Response intercept(Chain chain) throws IOException {
        Request request = chain.request();
        Buffer sent = new Buffer();
        if (request.body() != null) {
            // The client's bodies are in-memory forms, so writing one here does not consume it.
            request.body().writeTo(sent);
        }
        Map<String, String> form = FakeInvapi.parseForm(sent.readUtf8());
        String path = request.url().encodedPath();
        String contentType = request.header("Content-Type");
        Set<String> headerNames = request.headers().names();
        try {
            Response response = chain.proceed(request);
            String body = response.peekBody(1 << 20).string();
            exchanges.add(new Exchange(request.method(), path, contentType, headerNames, form, response.code(), body, null));
            return response;
        } catch (IOException e) {
            exchanges.add(new Exchange(request.method(), path, contentType, headerNames, form, -1, null, e));
            throw e;
        }
    }

    List<Exchange> all() {
        return List.copyOf(exchanges);
    }

    /** The calls in the order they were sent, e.g. {@code [auth/login, eq/show]}. */
    List<String> calls() {
        return exchanges.stream().map(Exchange::call).toList();
    }

    List<Exchange> of(String call) {
        return exchanges.stream().filter(e -> e.call().equals(call)).toList();
    }

    long count(String call) {
        return of(call).size();
    }

    Exchange last(String call) {
        List<Exchange> matching = of(call);
        if (matching.isEmpty()) {
            throw new AssertionError("no " + call + " was sent; sent: " + calls());
        }
        return matching.getLast();
    }
}

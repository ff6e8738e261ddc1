package com.hostkey.reinstall.projector.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link Reply}: the one place for how the query port's answers go on the wire. Every
 * answer says {@code X-Content-Type-Options: nosniff}; data is never cached ({@code no-store});
 * errors take the {@link ApiErrors} shape; a HEAD request gets the headers and status of its GET
 * without the body.
 */
final class Replies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json; charset=utf-8";
    /** A page loads its scripts and styles from here only, talks to this origin only, and cannot be framed. */
    private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private Replies() {}

    static void write(HttpExchange exchange, Reply reply) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("X-Content-Type-Options", "nosniff");
        switch (reply) {
            case Reply.Json json -> data(exchange, json.status(), JSON_TYPE, JSON.writeValueAsBytes(json.body()));
            case Reply.Relayed relayed -> data(exchange, relayed.status(), JSON_TYPE, relayed.body());
            case Reply.Error error -> error(exchange, error.status(), error.message());
            case Reply.Unavailable unavailable -> {
                headers.set("Retry-After", "1");
                error(exchange, 503, unavailable.message());
            }
            case Reply.NotAllowed notAllowed -> {
                headers.set("Allow", notAllowed.allow());
                error(exchange, 405, notAllowed.message());
            }
            case Reply.Unauthorized unauthorized -> {
                headers.set("WWW-Authenticate", unauthorized.challenge());
                error(exchange, 401, unauthorized.message());
            }
            case Reply.Page page -> {
                headers.set("Content-Type", page.contentType());
                // The files change with a release: revalidate rather than run an old script against a new API.
                headers.set("Cache-Control", "no-cache");
                headers.set("Content-Security-Policy", PAGE_POLICY);
                headers.set("X-Frame-Options", "DENY");
                headers.set("Referrer-Policy", "no-referrer");
                send(exchange, 200, page.body());
            }
            case Reply.Text text -> data(exchange, text.status(), text.contentType(), text.body().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        data(exchange, status, JSON_TYPE, JSON.writeValueAsBytes(ApiErrors.body(status, message)));
    }

    private static void data(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        send(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (exchange.getRequestMethod().equals("HEAD") || body.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}

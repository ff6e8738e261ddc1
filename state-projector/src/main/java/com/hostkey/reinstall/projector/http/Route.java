package com.hostkey.reinstall.projector.http;

import com.hostkey.reinstall.runtime.OperationsHttpServer;
import com.hostkey.reinstall.runtime.OperationsHttpServer.Answer;
import com.hostkey.reinstall.runtime.OperationsHttpServer.Probe;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One endpoint of the query port: the paths it answers (a pattern matching the whole raw path,
 * whose groups the handler reads), its one method (a GET also answers HEAD, without the body),
 * whether it needs a token, and what a request with another method is told (405).
 */
public record Route(Pattern path, String method, Access access, String notAllowed, Handler handler) {

    /** The 405 of the query API's reads (and of any path no route knows). */
    public static final String READ_ONLY = "method not allowed: the query API is read-only (GET, HEAD)";

    /** Who may call a route. */
    public enum Access {
        /** Anybody: the route carries no secret and no server's data (operations endpoints, the page's files). */
        PUBLIC,
        /** A {@link Caller.Reader} or a {@link Caller.Operator}; others get 401 before the route sees them. */
        TOKEN
    }

    /** Answers a request; throws {@link BadRequest} for a 400. */
    @FunctionalInterface
    public interface Handler {
        Reply answer(Request request) throws IOException;
    }

    public static Route get(String path, Access access, String notAllowed, Handler handler) {
        return new Route(Pattern.compile(path), "GET", access, notAllowed, handler);
    }

    public static Route post(String path, Access access, String notAllowed, Handler handler) {
        return new Route(Pattern.compile(path), "POST", access, notAllowed, handler);
    }

    /**
     * {@code GET /health}, {@code /ready} and {@code /metrics} without a token, answered as every
     * service answers them ({@link OperationsHttpServer#answer}): neither carries a secret or a server id.
     */
    public static List<Route> operations(Supplier<String> metrics, Supplier<Probe> live, Supplier<Probe> ready) {
        return OperationsHttpServer.PATHS.stream().sorted().map(path -> get(Pattern.quote(path), Access.PUBLIC, READ_ONLY, request -> {
            Answer answer = OperationsHttpServer.answer(path, metrics, live, ready);
            return new Reply.Text(answer.status(), answer.contentType(), answer.body());
        })).toList();
    }

    boolean answers(String requestMethod) {
        return requestMethod.equals(method) || (method.equals("GET") && requestMethod.equals("HEAD"));
    }

    /** The {@code Allow} header of a 405. */
    String allow() {
        return method.equals("GET") ? "GET, HEAD" : method;
    }
}

package com.hostkey.reinstall.projector.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Matcher;

/** A request as an endpoint sees it, once {@link HttpRouter} chose its {@link Route} and, where needed, accepted its caller. */
public final class Request {

    private final HttpExchange exchange;
    private final Matcher path;
    private final Caller caller;

    Request(HttpExchange exchange, Matcher path, Caller caller) {
        this.exchange = exchange;
        this.path = path;
        this.caller = caller;
    }

    /** The raw path, as matched by the route's pattern. */
    public String path() {
        return path.group();
    }

    /** A group of the route's pattern: the server id of {@code /reinstalls/(\d{1,18})}, for instance. */
    public String pathGroup(int group) {
        return path.group(group);
    }

    /** The raw query string; null when there is none. */
    public String rawQuery() {
        return exchange.getRequestURI().getRawQuery();
    }

    /** A {@link Caller.Reader} or a {@link Caller.Operator}; null on a {@link Route.Access#PUBLIC} route, which asks no token. */
    public Caller caller() {
        return caller;
    }

    /**
     * The caller's token, carried when this request is forwarded to another instance; null when
     * authentication is disabled. Only on a {@link Route.Access#TOKEN} route.
     */
    public String token() {
        return caller.token();
    }

    /** The request's body; longer than {@code limit} bytes it is a {@link BadRequest}, read no further. */
    public byte[] body(int limit) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw new BadRequest("the body may have at most " + limit + " bytes");
            }
            return body;
        }
    }
}

package com.hostkey.reinstall.projector.http;

/**
 * What an endpoint answers, written by {@link Replies}: the one place for the JSON encoding, the
 * error shape ({@link ApiErrors}), the security headers and HEAD. An endpoint says what to answer,
 * never how it goes on the wire.
 */
public sealed interface Reply {

    /** A JSON document: {@code body} is encoded as it is (maps, lists, strings, numbers). */
    record Json(int status, Object body) implements Reply {}

    /** JSON another instance answered, relayed byte for byte with its status. */
    record Relayed(int status, byte[] body) implements Reply {}

    /** An error in the API's shape: {@code {"error": message, "status": status}}. */
    record Error(int status, String message) implements Reply {}

    /**
     * 503 with {@code Retry-After: 1}: nothing is wrong with the request, the answer is not
     * available now (state restoring, a server moving between instances, an instance unreachable,
     * too many requests in flight); retrying shortly helps.
     */
    record Unavailable(String message) implements Reply {}

    /** 405 with {@code Allow}: the path exists, the method does not. */
    record NotAllowed(String allow, String message) implements Reply {}

    /** 401 with the {@code WWW-Authenticate} challenge: no token, or not a token we know. */
    record Unauthorized(String challenge, String message) implements Reply {}

    /** A static file of a page served to browsers (the dashboard), with the page's headers. */
    record Page(String contentType, byte[] body) implements Reply {}

    /** Any other document, such as the Prometheus text of {@code /metrics}. */
    record Text(int status, String contentType, String body) implements Reply {}
}

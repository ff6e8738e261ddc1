package com.hostkey.reinstall.projector.http;

/**
 * A request the query port refuses with 400, thrown by whatever validates it (parameters, path,
 * body); the message holds only sanitized excerpts of the input ({@link ApiErrors#excerpt}).
 */
public final class BadRequest extends RuntimeException {

    public BadRequest(String message) {
        super(message, null, false, false);
    }
}

package com.hostkey.invapi.simulator;

/** A business error: answered as {@code {"code":-1,"message":"<module>/<action>: <text>"}}. */
final class CallError extends RuntimeException {

    CallError(String text) {
        super(text, null, false, false);
    }
}

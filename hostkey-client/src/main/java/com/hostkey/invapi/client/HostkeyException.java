package com.hostkey.invapi.client;

/**
 * The one error taxonomy the rest of the system decides on.
 *
 * <ul>
 *   <li>{@link Rejected}: a business error; Hostkey's message says why. Never retried.</li>
 *   <li>{@link AuthFailed}: the API key or session is not accepted (after one re-login).</li>
 *   <li>{@link WrongPin}: never retried, three wrong PINs lock the account.</li>
 *   <li>{@link Transient}: the request was not applied (connect failure, 429/503), or an
 *       idempotent call kept failing (5xx, timeout, malformed answer) through its retries; safe to
 *       try again later, after {@link Transient#retryAfter()} when set. A 5xx to a non-idempotent
 *       call is {@link Ambiguous}, not Transient.</li>
 *   <li>{@link Ambiguous}: the request may have been applied (timeout or connection loss after
 *       the body was sent); reconcile before acting again.</li>
 * </ul>
 * Messages never contain a token, API key, PIN, root password or post-install script.
 */
public abstract sealed class HostkeyException extends RuntimeException {

    private final String action;

    protected HostkeyException(String action, String message, Throwable cause) {
        super(action + ": " + message, cause);
        this.action = action;
    }

    /** The invapi action, e.g. {@code eq/create_pxe}. */
    public String action() {
        return action;
    }

    public static final class Rejected extends HostkeyException {

        /** What the refusal means for the caller, where Hostkey's wording tells it. */
        public enum Reason {
            /**
             * The call names a hostname the server neither carries nor has a PXE config under
             * (clear_pxe): there is nothing of that name to act on.
             */
            UNKNOWN_HOSTNAME,
            /** Any other refusal: the message says why. */
            OTHER
        }

        private final String hostkeyMessage;
        private final Reason reason;

        public Rejected(String action, String hostkeyMessage) {
            this(action, hostkeyMessage, Reason.OTHER);
        }

        public Rejected(String action, String hostkeyMessage, Reason reason) {
            super(action, "rejected: " + hostkeyMessage, null);
            this.hostkeyMessage = hostkeyMessage;
            this.reason = reason;
        }

        public String hostkeyMessage() {
            return hostkeyMessage;
        }

        public Reason reason() {
            return reason;
        }
    }

    public static final class AuthFailed extends HostkeyException {
        public AuthFailed(String action, String message) {
            super(action, "authentication failed: " + message, null);
        }
    }

    public static final class WrongPin extends HostkeyException {
        public WrongPin(String action, String message) {
            super(action, "wrong PIN (not retried, three wrong PINs lock the account): " + message, null);
        }
    }

    public static final class Transient extends HostkeyException {
        private final java.time.Duration retryAfter;

        public Transient(String action, String message, java.time.Duration retryAfter, Throwable cause) {
            super(action, "transient: " + message, cause);
            this.retryAfter = retryAfter;
        }

        /** Hostkey's Retry-After, or null when it sent none. */
        public java.time.Duration retryAfter() {
            return retryAfter;
        }
    }

    public static final class Ambiguous extends HostkeyException {
        public Ambiguous(String action, String message, Throwable cause) {
            super(action, "outcome unknown, the request may have been applied: " + message, cause);
        }
    }
}

package com.hostkey.invapi.client;

import java.util.Objects;
import java.util.Optional;

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
 * The first three are refusals: {@link #refusal()} says which kind ({@link Refusal}), read from
 * Hostkey's code and message by {@link RefusalPatterns}, so that no caller reads Hostkey's words.
 * Messages never contain a token, API key, PIN, root password or post-install script.
 */
public abstract sealed class HostkeyException extends RuntimeException {

    private final String action;
    private final Refusal refusal;

    protected HostkeyException(String action, String message, Refusal refusal, Throwable cause) {
        super(action + ": " + message, cause);
        this.action = action;
        this.refusal = refusal;
    }

    /** The invapi action, e.g. {@code eq/create_pxe}. */
    public String action() {
        return action;
    }

    /**
     * What kind of refusal this is: always present on {@link Rejected}, {@link AuthFailed} and
     * {@link WrongPin} ({@link Refusal#UNCLASSIFIED} when Hostkey's words are not recognised),
     * empty on {@link Transient} and {@link Ambiguous}, where Hostkey refused nothing.
     */
    public Optional<Refusal> refusal() {
        return Optional.ofNullable(refusal);
    }

    public static final class Rejected extends HostkeyException {

        private final String hostkeyMessage;

        /** A refusal whose kind is not known ({@link Refusal#UNCLASSIFIED}). */
        public Rejected(String action, String hostkeyMessage) {
            this(action, hostkeyMessage, Refusal.UNCLASSIFIED);
        }

        public Rejected(String action, String hostkeyMessage, Refusal refusal) {
            super(action, "rejected" + detail(refusal) + ": " + hostkeyMessage, Objects.requireNonNull(refusal, "refusal"), null);
            this.hostkeyMessage = hostkeyMessage;
        }

        /** Hostkey's own words (secrets of the request scrubbed), for people; decide on {@link #refusal()}. */
        public String hostkeyMessage() {
            return hostkeyMessage;
        }
    }

    public static final class AuthFailed extends HostkeyException {
        /** A refusal of the credentials whose kind is not known ({@link Refusal#UNCLASSIFIED}). */
        public AuthFailed(String action, String message) {
            this(action, message, Refusal.UNCLASSIFIED);
        }

        /** {@code refusal}: {@link Refusal#LOGIN_REFUSED}, {@link Refusal#INVALID_TOKEN}, {@link Refusal#ACCOUNT_NOT_CONFIGURED}, ... */
        public AuthFailed(String action, String message, Refusal refusal) {
            super(action, "authentication failed" + detail(refusal) + ": " + message, Objects.requireNonNull(refusal, "refusal"), null);
        }
    }

    public static final class WrongPin extends HostkeyException {
        public WrongPin(String action, String message) {
            super(action, "wrong PIN (not retried, three wrong PINs lock the account): " + message, Refusal.WRONG_PIN, null);
        }
    }

    public static final class Transient extends HostkeyException {
        private final java.time.Duration retryAfter;

        public Transient(String action, String message, java.time.Duration retryAfter, Throwable cause) {
            super(action, "transient: " + message, null, cause);
            this.retryAfter = retryAfter;
        }

        /** Hostkey's Retry-After, or null when it sent none. */
        public java.time.Duration retryAfter() {
            return retryAfter;
        }
    }

    public static final class Ambiguous extends HostkeyException {
        public Ambiguous(String action, String message, Throwable cause) {
            super(action, "outcome unknown, the request may have been applied: " + message, null, cause);
        }
    }

    /** " (SERVER_NOT_FOUND)" for a recognised refusal, nothing for an unclassified one. */
    private static String detail(Refusal refusal) {
        return refusal == null || refusal == Refusal.UNCLASSIFIED ? "" : " (" + refusal + ")";
    }
}

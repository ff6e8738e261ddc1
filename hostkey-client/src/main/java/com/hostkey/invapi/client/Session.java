package com.hostkey.invapi.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One account's invapi session. Callers share the token; the first caller that finds none (or one
 * due for renewal) logs in while the others wait on the lock, so concurrent callers cause exactly
 * one login. A ReentrantLock rather than synchronized: waiting virtual threads then do not pin
 * their carrier on Java 21.
 */
final class Session {

    /** A token, when Hostkey lets it expire, and what the login answer looked like. */
    record Token(String value, Instant expiresAt, HostkeyClient.LoginFacts facts) {
        @Override
        public String toString() {
            return "Token[value=***, expiresAt=" + expiresAt + "]";
        }
    }

    @FunctionalInterface
    interface Login {
        Token login();
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Clock clock;
    private final Duration refreshMargin;
    private final Login login;
    private volatile Token token;
    private volatile Instant renewAt;

    Session(Clock clock, Duration refreshMargin, Login login) {
        this.clock = clock;
        this.refreshMargin = refreshMargin;
        this.login = login;
    }

    /** The current token, logging in first when there is none or it is about to expire. */
    String token() {
        Token t = token;
        if (t != null && clock.instant().isBefore(renewAt)) {
            return t.value();
        }
        lock.lock();
        try {
            t = token;
            if (t != null && clock.instant().isBefore(renewAt)) {
                return t.value();
            }
            Token fresh = login.login();
            Instant now = clock.instant();
            Duration lifetime = Duration.between(now, fresh.expiresAt());
            // A token shorter-lived than the margin would be renewed on every call: renew at half-life.
            Duration margin = refreshMargin.compareTo(lifetime.dividedBy(2)) > 0 ? lifetime.dividedBy(2) : refreshMargin;
            renewAt = fresh.expiresAt().minus(margin);
            token = fresh;
            return fresh.value();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forgets {@code stale} after Hostkey refused it. A caller holding an older token than the
     * current one does nothing, so a crowd of refused callers causes one new login, not one each.
     */
    void invalidate(String stale) {
        lock.lock();
        try {
            Token t = token;
            if (t != null && t.value().equals(stale)) {
                token = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /** What the login of the current token answered; logs in first when there is no token. */
    HostkeyClient.LoginFacts facts() {
        token();
        Token t = token;
        return t == null ? null : t.facts();
    }

    /** The token if logged in (for logout), without logging in. */
    String currentToken() {
        Token t = token;
        return t == null ? null : t.value();
    }
}

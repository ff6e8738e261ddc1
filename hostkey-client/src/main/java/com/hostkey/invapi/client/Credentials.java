package com.hostkey.invapi.client;

import java.util.Objects;

/**
 * One Hostkey account's secrets: the API key and, for accounts that have one, the PIN sent on
 * crucial calls. {@link #toString()} masks both so a config can be logged.
 *
 * @param apiKey the invapi API key, required
 * @param pin the account PIN, or null when the account has none
 */
public record Credentials(String apiKey, String pin) {

    public Credentials {
        Objects.requireNonNull(apiKey, "apiKey");
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey is blank");
        }
        if (pin != null && pin.isBlank()) {
            pin = null;
        }
    }

    public static Credentials of(String apiKey) {
        return new Credentials(apiKey, null);
    }

    public boolean hasPin() {
        return pin != null;
    }

    @Override
    public String toString() {
        return "Credentials[apiKey=***, pin=" + (pin == null ? "none" : "***") + "]";
    }
}

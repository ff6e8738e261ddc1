package com.hostkey.invapi.simulator;

import java.util.Objects;

/**
 * One Hostkey customer account: its API key and, when it has one, the PIN that crucial calls
 * (create_pxe, boot_dev, reboot, on, off) must carry. {@link #toString()} masks both secrets.
 *
 * @param name   the account's name, used to assign servers
 * @param apiKey the key {@code auth.php action=login} accepts
 * @param pin    the PIN, or null when the account has none
 */
public record Account(String name, String apiKey, String pin) {

    public Account {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(apiKey, "apiKey");
        if (name.isBlank() || apiKey.isBlank()) {
            throw new IllegalArgumentException("account name and API key must not be blank");
        }
        if (pin != null && pin.isBlank()) {
            pin = null;
        }
    }

    public boolean hasPin() {
        return pin != null;
    }

    @Override
    public String toString() {
        return "Account[name=" + name + ", apiKey=***, pin=" + (pin == null ? "none" : "***") + "]";
    }
}

package com.hostkey.invapi.simulator;

/**
 * Hostkey's root password rule: 8-30 characters from {@code A-Z a-z 0-9 % - _ +}, at least one
 * upper, one lower, one digit and one of {@code % - _ +}, not starting with a special character.
 */
final class PasswordPolicy {

    private static final String SPECIALS = "%-_+";

    private PasswordPolicy() {
    }

    static boolean accepts(String password) {
        if (password.length() < 8 || password.length() > 30 || SPECIALS.indexOf(password.charAt(0)) >= 0) {
            return false;
        }
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        boolean special = false;
        for (char c : password.toCharArray()) {
            if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (c >= 'a' && c <= 'z') {
                lower = true;
            } else if (c >= '0' && c <= '9') {
                digit = true;
            } else if (SPECIALS.indexOf(c) >= 0) {
                special = true;
            } else {
                return false;
            }
        }
        return upper && lower && digit && special;
    }
}

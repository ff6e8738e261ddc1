package com.hostkey.invapi.simulator;

import java.util.concurrent.ThreadLocalRandom;

/** Random session tokens (32 hex) and callback keys (32 of a-z0-9), as Hostkey issues them. */
final class Keys {

    private static final String HEX = "0123456789abcdef";
    private static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

    private Keys() {
    }

    static String token() {
        return random(HEX);
    }

    static String callbackKey() {
        return random(ALNUM);
    }

    private static String random(String alphabet) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[32];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(chars);
    }
}

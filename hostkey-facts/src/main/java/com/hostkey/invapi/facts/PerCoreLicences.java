package com.hostkey.invapi.facts;

/**
 * Microsoft SPLA licences as Hostkey sells them with a licensed OS (an OS whose os/list entry has a
 * {@code price_per_core_EUR} tag): per core, at least {@value #MIN} licences, in steps of
 * {@value #STEP}.
 */
public final class PerCoreLicences {

    public static final int MIN = 8;
    public static final int STEP = 2;

    private PerCoreLicences() {}

    public static boolean isValidCount(int licences) {
        return licences >= MIN && (licences - MIN) % STEP == 0;
    }

    /** "at least 8, in steps of 2". */
    public static String rule() {
        return "at least " + MIN + ", in steps of " + STEP;
    }
}

package com.hostkey.invapi.facts;

/**
 * Microsoft SPLA licences as Hostkey sells them with a licensed OS (an OS whose os/list entry has a
 * {@code price_per_core_EUR} tag): per core, at least {@value #MIN} licences, in steps of
 * {@value #STEP}. Licensed per core, every core of the server needs one: a server with 12 cores
 * needs at least 12, one with 9 cores at least 10 (the next step), one with 4 cores still 8.
 */
public final class PerCoreLicences {

    public static final int MIN = 8;
    public static final int STEP = 2;

    private PerCoreLicences() {}

    public static boolean isValidCount(int licences) {
        return licences >= MIN && (licences - MIN) % STEP == 0;
    }

    /** The fewest licences a server with {@code cores} cores can be given: {@value #MIN} or more, in steps, covering every core. */
    public static int minimumFor(int cores) {
        if (cores <= MIN) {
            return MIN;
        }
        int steps = (cores - MIN + STEP - 1) / STEP;
        return MIN + steps * STEP;
    }

    /** Whether {@code licences} is a valid count that licenses each of {@code cores} cores. */
    public static boolean covers(int licences, int cores) {
        return isValidCount(licences) && licences >= cores;
    }

    /** "at least 8, in steps of 2". */
    public static String rule() {
        return "at least " + MIN + ", in steps of " + STEP;
    }
}

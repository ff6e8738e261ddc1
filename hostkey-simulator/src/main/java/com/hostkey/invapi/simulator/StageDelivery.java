package com.hostkey.invapi.simulator;

/** Which stage a check on the reinstall master key answers with (not documented by Hostkey). */
public enum StageDelivery {
    /** The latest stage reached; stages reached between two checks are skipped. */
    LATEST,
    /** The oldest stage not yet answered; with nothing new, the last answered stage again. */
    OLDEST_UNREAD
}

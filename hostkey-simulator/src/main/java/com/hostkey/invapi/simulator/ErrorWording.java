package com.hostkey.invapi.simulator;

/**
 * How the simulator words the refusals whose text Hostkey does not document (docs/hostkey-invapi.md:
 * only "Invalid hash", "AsyncKey not found", "no OS found" and the login refusal are known, and
 * those stay as they are in every profile). Each answer is
 * {@code {"code":-1,"message":"<module>/<action>: <text>"}}.
 *
 * <p>{@link #STANDARD} is what the client's default patterns expect; {@link #ALTERNATIVE} words
 * each refusal so that none of those defaults recognises it (in particular, its wrong-PIN text
 * does not say "PIN"): a client must be told its patterns ({@code HOSTKEY_REFUSAL_*_PATTERN}), e.g.
 * {@code no access to equipment}, {@code carries another hostname},
 * {@code confirmation code rejected}, {@code access suspended}.
 */
public enum ErrorWording {
    /** "server not found", "hostname does not match server N", "wrong PIN code", "account locked". */
    STANDARD("server not found", "hostname does not match server {id}", "wrong PIN code", "account locked"),
    /**
     * "no access to equipment N", "equipment N carries another hostname", "confirmation code
     * rejected", "access suspended: too many failed confirmations".
     */
    ALTERNATIVE("no access to equipment {id}", "equipment {id} carries another hostname", "confirmation code rejected",
            "access suspended: too many failed confirmations");

    private final String serverNotFound;
    private final String hostnameMismatch;
    private final String wrongPin;
    private final String accountLocked;

    ErrorWording(String serverNotFound, String hostnameMismatch, String wrongPin, String accountLocked) {
        this.serverNotFound = serverNotFound;
        this.hostnameMismatch = hostnameMismatch;
        this.wrongPin = wrongPin;
        this.accountLocked = accountLocked;
    }

    /** The server does not exist or belongs to another account; {@code id} as the call gave it. */
    String serverNotFound(String id) {
        return serverNotFound.replace("{id}", id);
    }

    /** clear_pxe names a hostname the server neither carries nor has a PXE config under. */
    String hostnameMismatch(long serverId) {
        return hostnameMismatch.replace("{id}", Long.toString(serverId));
    }

    String wrongPin() {
        return wrongPin;
    }

    String accountLocked() {
        return accountLocked;
    }
}

package com.hostkey.invapi.client;

/**
 * What Hostkey's refusal of a call means, as far as its answer tells: carried by
 * {@link HostkeyException#refusal()} on {@link HostkeyException.Rejected},
 * {@link HostkeyException.AuthFailed} and {@link HostkeyException.WrongPin}.
 *
 * <p>Hostkey documents none of its refusal wordings but "Invalid hash", "AsyncKey not found" and
 * the login refusal ({@code NO_APPROPRIATE_SERVERS}): the client recognises the others by the
 * patterns of {@link RefusalPatterns}, one setting per kind, tried in the order of this enum.
 * A refusal no pattern recognises is {@link #UNCLASSIFIED}: still a refusal (never retried) that
 * names Hostkey's message.
 */
public enum Refusal {
    /** The account is locked (after three wrong PINs, or by Hostkey); support must unlock it. */
    ACCOUNT_LOCKED(true),
    /** The PIN sent with a crucial call was wrong: never repeat, three wrong PINs lock the account. */
    WRONG_PIN(true),
    /** The session token is unknown or expired ("Invalid hash"); refused again after one re-login. */
    INVALID_TOKEN(true),
    /** auth/login refused the API key (unknown key, or an account without servers). */
    LOGIN_REFUSED(true),
    /** The server does not exist or does not belong to the account. */
    SERVER_NOT_FOUND(true),
    /**
     * The call names a hostname the server neither carries nor has a PXE config under (clear_pxe):
     * there is nothing of that name to act on.
     */
    HOSTNAME_MISMATCH(true),
    /** The reinstall (master) key given to create_pxe is unknown or belongs to another server. */
    REINSTALL_KEY_NOT_FOUND(true),
    /** The OS is not offered for the server (os/list finds none, or create_pxe refuses the os_id). */
    OS_NOT_OFFERED(true),
    /** A parameter is missing or malformed (hostname, media, disk scheme, password policy, task, action). */
    INVALID_PARAMETER(true),
    /** The client has no credentials for the account the call names; nothing was sent. */
    ACCOUNT_NOT_CONFIGURED(false),
    /** Hostkey refused in words no pattern recognises; its message says why. */
    UNCLASSIFIED(false);

    private final boolean recognisedByPattern;

    Refusal(boolean recognisedByPattern) {
        this.recognisedByPattern = recognisedByPattern;
    }

    /** Whether Hostkey's answer tells this kind (so it has a pattern in {@link RefusalPatterns}). */
    public boolean recognisedByPattern() {
        return recognisedByPattern;
    }
}

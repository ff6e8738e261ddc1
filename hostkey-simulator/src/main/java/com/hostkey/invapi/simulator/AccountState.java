package com.hostkey.invapi.simulator;

/** An account's PIN lock state; guarded by the {@link Invapi} lock. */
final class AccountState {

    final Account account;
    int consecutiveWrongPins;
    boolean locked;

    AccountState(Account account) {
        this.account = account;
    }

    String name() {
        return account.name();
    }
}

package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.schemas.ReinstallIds;

/** Which of a server's reinstalls a watch follows. */
public sealed interface WatchTarget {

    long serverId();

    /**
     * The reinstall a submitted request starts (submit --watch, bulk --watch): followed once the
     * projector's state carries the request id, whatever the server had before.
     */
    record Request(long serverId, String requestId) implements WatchTarget {

        /** The reinstall's id, known before the projector takes the request up: its history entries carry it. */
        public String reinstallId() {
            return ReinstallIds.forRequest(serverId, requestId);
        }
    }

    /** The reinstall the server has now, ended or not; with none yet, the first one it gets. */
    record Current(long serverId) implements WatchTarget {}

    /** As {@link Current}, but a reinstall that had already ended when the watch began is passed over for the next one. */
    record Next(long serverId) implements WatchTarget {}
}

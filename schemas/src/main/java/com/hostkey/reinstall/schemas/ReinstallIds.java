package com.hostkey.reinstall.schemas;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The id of the reinstall a request starts: a name-based UUID of {@code serverId/requestId}. The
 * same request always yields the same id, so a replayed decision emits the same ids, and a client
 * that submitted a request can recognise its reinstall's events.
 */
public final class ReinstallIds {

    private ReinstallIds() {}

    public static String forRequest(long serverId, String requestId) {
        return UUID.nameUUIDFromBytes((serverId + "/" + requestId).getBytes(StandardCharsets.UTF_8)).toString();
    }
}

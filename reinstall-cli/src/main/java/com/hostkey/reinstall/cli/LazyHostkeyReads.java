package com.hostkey.reinstall.cli;

import java.util.Map;

/**
 * Opens the Hostkey client on first use only, so that commands which may not need Hostkey (an OS
 * given by id) work without Hostkey settings; closes it if it was opened.
 */
public final class LazyHostkeyReads implements AutoCloseable {

    private final Connectors connectors;
    private final Map<String, String> env;
    private HostkeyReads reads;

    public LazyHostkeyReads(Connectors connectors, Map<String, String> env) {
        this.connectors = connectors;
        this.env = env;
    }

    /** Whether Hostkey settings are present at all (they may still be wrong). */
    public boolean configured() {
        String baseUrl = env.get(com.hostkey.invapi.client.HostkeyClientConfig.ENV_BASE_URL);
        return baseUrl != null && !baseUrl.isBlank();
    }

    public HostkeyReads get() {
        if (reads == null) {
            reads = connectors.hostkey(env);
        }
        return reads;
    }

    @Override
    public void close() {
        if (reads != null) {
            reads.close();
        }
    }
}

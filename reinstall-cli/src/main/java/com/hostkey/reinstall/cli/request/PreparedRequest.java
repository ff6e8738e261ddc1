package com.hostkey.reinstall.cli.request;

/**
 * A request with its files read and its OS resolved, holding the root password and the script in
 * the clear until they are sealed. {@link #toString()} never shows them.
 *
 * @param osName the OS name when it was resolved from os/list, else null
 */
public record PreparedRequest(
        RequestSpec request,
        long osId,
        String osName,
        String sshKey,
        String postInstallScript,
        String rootPassword) {

    @Override
    public String toString() {
        return "PreparedRequest[server=" + request.serverId() + ", osId=" + osId + ", hostname=" + request.hostname()
                + ", rootPassword=***, postInstallScript=" + (postInstallScript == null ? null : "***") + "]";
    }
}

package com.hostkey.reinstall.cli.request;

import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import java.nio.file.Path;
import java.util.List;

/**
 * One reinstall as the operator asked for it, from submit's options or a bulk file's row, before
 * its files are read, its OS name resolved and its secrets sealed.
 *
 * @param os           an OS id, or a name to resolve through os/list
 * @param passwordFile a per-row password file (bulk only), null for the password given once
 */
public record RequestSpec(
        long serverId,
        String os,
        String hostname,
        PartitionScheme partition,
        Path sshKeyFile,
        Path scriptFile,
        String callbackUrl,
        List<String> tasks,
        List<String> optionalTasks,
        Integer licences,
        String account,
        String requestId,
        Path passwordFile) {

    public static final String DEFAULT_ACCOUNT = "default";

    public RequestSpec {
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        optionalTasks = optionalTasks == null ? List.of() : List.copyOf(optionalTasks);
        account = account == null || account.isBlank() ? DEFAULT_ACCOUNT : account;
    }

    /** Required tasks, then optional ones: every task the reinstall may run. */
    public List<String> allTasks() {
        return java.util.stream.Stream.concat(tasks.stream(), optionalTasks.stream()).toList();
    }
}

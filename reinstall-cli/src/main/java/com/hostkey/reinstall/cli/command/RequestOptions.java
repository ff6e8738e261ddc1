package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.request.RequestSpec;
import com.hostkey.reinstall.cli.request.RequestPreparer;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The fields of one reinstall request, as submit's options. */
final class RequestOptions {

    @Option(names = "--os", required = true, paramLabel = "ID|NAME",
            description = "OS id, or name resolved through Hostkey's os/list (needs HOSTKEY_* settings)")
    String os;

    @Option(names = "--hostname", required = true, paramLabel = "NAME", description = "Host name of the reinstalled server")
    String hostname;

    @Option(names = "--partition", paramLabel = "SCHEME", description = "Disk layout: ${COMPLETION-CANDIDATES}")
    PartitionScheme partition;

    @Option(names = "--ssh-key-file", paramLabel = "FILE", description = "OpenSSH public key to install (a .pub file)")
    Path sshKeyFile;

    @Option(names = "--script-file", paramLabel = "FILE", description = "Post-install script (sealed like the password)")
    Path scriptFile;

    @Option(names = "--callback-url", paramLabel = "URL", description = "URL the installer calls when the post-install script ends")
    String callbackUrl;

    @Option(names = "--task", paramLabel = "TASK", split = ",", description = "Jenkins task to run after the install, in order (repeatable)")
    List<String> tasks = new ArrayList<>();

    @Option(names = "--optional-task", paramLabel = "TASK", split = ",",
            description = "Jenkins task whose failure is reported and skipped (repeatable)")
    List<String> optionalTasks = new ArrayList<>();

    @Option(names = "--licences", paramLabel = "N", description = "Per-core licences for licensed OSes (at least 8, even)")
    Integer licences;

    @Option(names = "--account", paramLabel = "NAME", defaultValue = RequestSpec.DEFAULT_ACCOUNT,
            description = "Hostkey account (credential set) to use (default ${DEFAULT-VALUE})")
    String account;

    @Option(names = "--request-id", paramLabel = "ID",
            description = "Idempotency key: the same request never reinstalls twice (default: a fresh one)")
    String requestId;

    RequestSpec toRequest(long serverId) {
        return new RequestSpec(serverId, os, hostname, partition, sshKeyFile, scriptFile, callbackUrl, tasks, optionalTasks,
                licences, account, requestId == null || requestId.isBlank() ? RequestPreparer.newRequestId() : requestId.strip(), null);
    }
}

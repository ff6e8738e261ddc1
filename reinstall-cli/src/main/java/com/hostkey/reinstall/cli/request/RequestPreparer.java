package com.hostkey.reinstall.cli.request;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Turns a {@link RequestSpec} into what goes on the wire: reads the key and script files,
 * resolves the OS, runs the checks that need no Hostkey read (the command handler's own
 * {@link ReinstallValidator}, so the CLI refuses exactly what the handler would), and builds the
 * {@link ReinstallRequest} with the password and script sealed.
 */
public final class RequestPreparer {

    private final OsResolver osResolver;
    private final ReinstallValidator validator = new ReinstallValidator(ValidationLimits.defaults());
    private final boolean bulk;

    /** @param bulk whether errors name bulk columns (true) or submit options (false) */
    public RequestPreparer(OsResolver osResolver, boolean bulk) {
        this.osResolver = osResolver;
        this.bulk = bulk;
    }

    /**
     * Reads the files and resolves the OS first, then asks for the password, so that a wrong path
     * or OS name fails before the operator typed anything.
     */
    public PreparedRequest prepare(RequestSpec request, Supplier<String> rootPassword) {
        String sshKey = request.sshKeyFile() == null ? null
                : readFile(request.sshKeyFile(), RequestField.SSH_KEY).strip();
        String script = request.scriptFile() == null ? null : readFile(request.scriptFile(), RequestField.SCRIPT);
        OsResolver.ResolvedOs os = osResolver.resolve(request.os(), request.serverId(), request.account(), RequestField.OS.name(bulk));
        return new PreparedRequest(request, os.id(), os.name(), sshKey, script, rootPassword.get());
    }

    /** The handler's field checks (password policy, hostname, ssh key, script size, callback URL, licences). */
    public Optional<ValidationFailed> checkFields(PreparedRequest prepared) {
        return validator.checkFields(validateCommand(prepared), prepared.rootPassword(), prepared.postInstallScript());
    }

    /** Throws the first field check that fails, naming the option or column. */
    public void requireValidFields(PreparedRequest prepared) {
        checkFields(prepared).ifPresent(failure -> {
            throw invalid(failure, bulk);
        });
    }

    public static CliException invalid(ValidationFailed failure, boolean bulk) {
        String field = RequestField.displayName(failure.getField(), bulk);
        return new CliException(ExitCode.INVALID_INPUT, field, failure.getMessage() + " [" + failure.getReason() + "]",
                "correct " + (field == null ? "the request" : field) + " and run the command again", null);
    }

    public ReinstallValidator validator() {
        return validator;
    }

    /** The step command the handler validates with, as the projector would build it from the request. */
    public static ValidateReinstall validateCommand(PreparedRequest prepared) {
        RequestSpec request = prepared.request();
        return ValidateReinstall.newBuilder()
                .setAccount(request.account())
                .setOsId(prepared.osId())
                .setHostname(request.hostname() == null ? "" : request.hostname())
                .setSshKey(prepared.sshKey())
                .setPostInstallCallbackUrl(request.callbackUrl())
                .setPartitionScheme(request.partition())
                .setJenkinsTasks(request.tasks())
                .setLicences(request.licences())
                .build();
    }

    /** The upstream command, the password and script sealed with {@code sealer}. */
    public static ReinstallRequest command(PreparedRequest prepared, SecretSealer sealer, String issuedBy, Instant now) {
        RequestSpec request = prepared.request();
        ReinstallServer payload = ReinstallServer.newBuilder()
                .setRequestId(request.requestId())
                .setAccount(request.account())
                .setOsId(prepared.osId())
                .setHostname(request.hostname())
                .setRootPassword(sealer.seal(prepared.rootPassword()))
                .setSshKey(prepared.sshKey())
                .setPostInstallScript(prepared.postInstallScript() == null ? null : sealer.seal(prepared.postInstallScript()))
                .setPostInstallCallbackUrl(request.callbackUrl())
                .setPartitionScheme(request.partition())
                .setJenkinsTasks(request.tasks())
                .setOptionalJenkinsTasks(request.optionalTasks())
                .setLicences(request.licences())
                .build();
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(request.serverId())
                .setIssuedAt(now)
                .setIssuedBy(issuedBy)
                .setPayload(payload)
                .build();
    }

    /** A fresh request id: the projector ignores a repeat of the request in progress, so a retry with the same id is safe. */
    public static String newRequestId() {
        return "cli-" + UUID.randomUUID();
    }

    private String readFile(Path file, RequestField field) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(ExitCode.NO_INPUT, field.name(bulk), "cannot read " + file + ": " + PasswordReader.reason(e),
                    "check the path and its permissions", e);
        }
    }
}

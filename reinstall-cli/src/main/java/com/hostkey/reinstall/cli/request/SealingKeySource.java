package com.hostkey.reinstall.cli.request;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The command handler's public key the CLI seals secrets to: {@code --public-key FILE} and
 * {@code --key-id ID}, else {@code REINSTALL_SEALING_PUBLIC_KEY} (a PEM file's path, or the PEM
 * itself) and {@code REINSTALL_SEALING_KEY_ID}.
 */
public final class SealingKeySource {

    public static final String ENV_PUBLIC_KEY = "REINSTALL_SEALING_PUBLIC_KEY";
    public static final String ENV_KEY_ID = "REINSTALL_SEALING_KEY_ID";
    private static final String HOW = "give --public-key FILE and --key-id ID (or set " + ENV_PUBLIC_KEY + " and " + ENV_KEY_ID
            + "); a key pair is made with SealingKeygen, see the README";

    private SealingKeySource() {}

    /** Whether a key is configured at all (a dry run only mentions it). */
    public static boolean configured(Path publicKey, String keyId, Map<String, String> env) {
        return (publicKey != null || present(env.get(ENV_PUBLIC_KEY))) && (present(keyId) || present(env.get(ENV_KEY_ID)));
    }

    public static SecretSealer sealer(Path publicKey, String keyId, Map<String, String> env) {
        String id = present(keyId) ? keyId.strip() : present(env.get(ENV_KEY_ID)) ? env.get(ENV_KEY_ID).strip() : null;
        String pem;
        String source;
        if (publicKey != null) {
            pem = read(publicKey, "--public-key");
            source = publicKey.toString();
        } else if (present(env.get(ENV_PUBLIC_KEY))) {
            String value = env.get(ENV_PUBLIC_KEY).strip();
            boolean inline = value.startsWith("-----BEGIN");
            pem = inline ? value : read(Path.of(value), ENV_PUBLIC_KEY);
            source = inline ? ENV_PUBLIC_KEY : value;
        } else {
            throw CliException.config("--public-key", "no sealing key: the root password is sealed to the command handler's"
                    + " public key before it leaves this machine", HOW);
        }
        if (id == null) {
            throw CliException.config("--key-id", "no sealing key id: the command handler picks its private key by it", HOW);
        }
        try {
            return SecretSealer.fromPem(id, pem);
        } catch (IllegalArgumentException e) {
            throw CliException.config("--public-key", source + " is not an RSA public key in PEM form",
                    "give the handler's .pub.pem file made by SealingKeygen");
        }
    }

    private static String read(Path file, String field) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CliException(ExitCode.NO_INPUT, field, "cannot read the public key " + file + ": " + PasswordReader.reason(e),
                    "check the path and its permissions", e);
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}

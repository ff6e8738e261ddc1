package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.request.SealingKeySource;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The command handler's public key the secrets are sealed to. */
final class SealingOptions {

    @Option(names = "--public-key", paramLabel = "FILE",
            description = "The command handler's public key, PEM (env " + SealingKeySource.ENV_PUBLIC_KEY + ": a path or the PEM)")
    Path publicKey;

    @Option(names = "--key-id", paramLabel = "ID", description = "Its key id (env " + SealingKeySource.ENV_KEY_ID + ")")
    String keyId;

    SecretSealer sealer(Map<String, String> env) {
        return SealingKeySource.sealer(publicKey, keyId, env);
    }

    boolean configured(Map<String, String> env) {
        return SealingKeySource.configured(publicKey, keyId, env);
    }
}

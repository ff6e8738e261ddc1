package com.hostkey.reinstall.cli.command;

import com.hostkey.reinstall.cli.request.SealingKeySource;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import java.util.Map;
import picocli.CommandLine.Option;

/** The command handler's public sealing keys (a JWK Set) the secrets are sealed to. */
final class SealingOptions {

    @Option(names = "--jwks", paramLabel = "FILE|URL",
            description = "The command handler's JWK Set: its jwks.json, or its http(s) URL .../.well-known/jwks.json"
                    + " (env " + SealingKeySource.ENV_JWKS + ")")
    String jwks;

    @Option(names = "--key-id", paramLabel = "ID",
            description = "Seal to this key of the set instead of its first (env " + SealingKeySource.ENV_KEY_ID + ")")
    String keyId;

    SecretSealer sealer(Map<String, String> env) {
        return SealingKeySource.sealer(jwks, keyId, env);
    }

    boolean configured(Map<String, String> env) {
        return SealingKeySource.configured(jwks, env);
    }
}

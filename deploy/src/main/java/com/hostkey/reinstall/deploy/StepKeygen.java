package com.hostkey.reinstall.deploy;

import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import java.nio.file.Path;

/**
 * Writes a step authentication key: {@code <dir>/<keyId>.step.key} (base64 of 32 random bytes,
 * owner-only), shared by the state projector (which signs every step it writes to reinstall-steps)
 * and the command handlers (which act only on steps they can verify); both name it in
 * {@code STEP_AUTH_KEYS=keyId=path,...}. Prints the file's path, never the key.
 * Usage: {@code StepKeygen DIR KEY_ID}.
 */
public final class StepKeygen {

    private StepKeygen() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: StepKeygen DIR KEY_ID");
            System.exit(2);
        }
        Path file = StepAuthenticator.writeKey(StepAuthenticator.generateKey(), Path.of(args[0]), args[1]);
        System.out.println("wrote " + file);
    }
}

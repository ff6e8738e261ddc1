package com.hostkey.reinstall.deploy;

import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import java.nio.file.Path;

/**
 * Writes a sealing key pair: {@code <dir>/<keyId>.pub.pem} for upstream producers and
 * {@code <dir>/<keyId>.key.pem} (owner-only) for the command handler.
 * Usage: {@code SealingKeygen DIR KEY_ID}.
 */
public final class SealingKeygen {

    private SealingKeygen() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: SealingKeygen DIR KEY_ID");
            System.exit(2);
        }
        SealingKeys.writePair(SealingKeys.generate(), Path.of(args[0]), args[1]);
        System.out.println("wrote " + Path.of(args[0]).resolve(args[1] + ".pub.pem") + " and the private key beside it");
    }
}

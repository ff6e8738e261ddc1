package com.hostkey.invapi.simulator;

import java.time.Instant;
import java.util.Map;

/**
 * One invapi call as the simulator saw it. Secrets (API key, token, PIN, root_pass,
 * post_install_script) are masked in {@code params}.
 *
 * @param at       simulated instant the call arrived
 * @param module   the module, e.g. {@code eq} for {@code /eq.php}
 * @param action   the {@code action} field, empty when absent
 * @param serverId the {@code id} field (of the Jenkins launch: its configured server field) when it
 *                 is a number, else null
 * @param outcome  {@code OK}; the callback result ({@code Not ready}, {@code Stage 3}, {@code OK},
 *                 {@code Error}); {@code ERROR: <message>} for a business error; or
 *                 {@code FAULT: <kind>} when an injected fault answered instead
 * @param params   every request field, secrets masked
 */
public record AuditEntry(Instant at, String module, String action, Long serverId, String outcome,
                         Map<String, String> params) {

    public AuditEntry {
        params = Map.copyOf(params);
    }

    /** {@code module/action}, e.g. {@code eq/reboot}. */
    public String call() {
        return module + "/" + action;
    }
}

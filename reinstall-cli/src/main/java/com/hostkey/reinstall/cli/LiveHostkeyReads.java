package com.hostkey.reinstall.cli;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClient.LoginFacts;
import com.hostkey.invapi.client.HostkeyClient.ShowAnswer;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.invapi.client.HostkeyException;
import com.hostkey.invapi.client.Refusal;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HostkeyReads} over {@link HostkeyClient}, configured from the environment like the
 * services ({@code HOSTKEY_BASE_URL}, {@code HOSTKEY_API_KEY[_FILE]}, {@code HOSTKEY_PIN[_FILE]},
 * {@code HOSTKEY_ACCOUNTS}). Hostkey's errors become CLI errors; the sessions opened are logged
 * out on close, so a CLI run leaves no token behind.
 */
final class LiveHostkeyReads implements HostkeyReads {

    private static final Logger log = LoggerFactory.getLogger(LiveHostkeyReads.class);

    private final HostkeyClient client;
    private final Set<String> accounts = new LinkedHashSet<>();

    private LiveHostkeyReads(HostkeyClient client) {
        this.client = client;
    }

    static LiveHostkeyReads fromEnv(Map<String, String> env) {
        HostkeyClientConfig config;
        try {
            config = HostkeyClientConfig.fromEnv(env);
        } catch (IllegalStateException e) {
            throw CliException.config(HostkeyClientConfig.ENV_BASE_URL, "Hostkey is not configured: " + e.getMessage(),
                    "set HOSTKEY_BASE_URL and HOSTKEY_API_KEY (or HOSTKEY_API_KEY_FILE), and HOSTKEY_PIN if the account has one");
        }
        return new LiveHostkeyReads(new HostkeyClient(config));
    }

    @Override
    public HostkeyClientConfig settings() {
        return client.config();
    }

    @Override
    public LoginFacts login(String account) {
        return call(account, "auth/login", () -> client.loginFacts(account));
    }

    @Override
    public ShowAnswer showAnswer(String account, long serverId) {
        return call(account, "eq/show for server " + serverId, () -> client.showAnswer(account, serverId));
    }

    @Override
    public List<OsOffer> listOs(String account, long serverId) {
        return call(account, "os/list for server " + serverId, () -> client.listOs(account, serverId));
    }

    @Override
    public ServerFacts show(String account, long serverId) {
        return call(account, "eq/show for server " + serverId, () -> client.show(account, serverId));
    }

    @Override
    public List<JenkinsTask> jenkinsTasks(String account) {
        return call(account, "jenkins/get_tasks", () -> client.jenkinsTasks(account));
    }

    private <T> T call(String account, String what, Supplier<T> call) {
        if (!client.config().accounts().containsKey(account)) {
            throw CliException.config("--account", "no Hostkey credentials for account '" + account + "' (configured: "
                    + String.join(", ", client.config().accounts().keySet()) + ")",
                    "configure it with HOSTKEY_ACCOUNTS and HOSTKEY_ACCOUNT_<NAME>_API_KEY, or choose another --account");
        }
        accounts.add(account);
        try {
            return call.get();
        } catch (HostkeyException e) {
            throw errorOf(e, what);
        }
    }

    static CliException errorOf(HostkeyException e, String what) {
        return switch (e) {
            case HostkeyException.Rejected r when r.refusal().orElse(Refusal.UNCLASSIFIED) == Refusal.SERVER_NOT_FOUND ->
                    new CliException(ExitCode.NOT_FOUND, "SERVER", "Hostkey " + what + ": " + r.hostkeyMessage(),
                            "check the server id and --account", e);
            case HostkeyException.Rejected r when r.refusal().orElse(Refusal.UNCLASSIFIED) == Refusal.ACCOUNT_LOCKED ->
                    new CliException(ExitCode.PERMISSION, "HOSTKEY_PIN", "Hostkey account is locked (" + what + "): " + r.hostkeyMessage(),
                            "Hostkey support must unlock it; correct HOSTKEY_PIN before any reinstall", e);
            case HostkeyException.Rejected r -> new CliException(ExitCode.INVALID_INPUT, null, "Hostkey refused " + what + ": "
                    + r.hostkeyMessage(), null, e);
            case HostkeyException.AuthFailed a -> new CliException(ExitCode.PERMISSION, "HOSTKEY_API_KEY", "Hostkey did not accept the API key for "
                    + what, "check HOSTKEY_API_KEY (or the account's key) and that it may read this server", e);
            case HostkeyException.WrongPin w -> new CliException(ExitCode.PERMISSION, "HOSTKEY_PIN", "Hostkey refused the PIN for " + what,
                    "check HOSTKEY_PIN before trying again: three wrong PINs lock the account", e);
            case HostkeyException.Transient t -> CliException.unavailable("Hostkey did not answer " + what + ": " + t.getMessage(),
                    "retry shortly; check HOSTKEY_BASE_URL if it persists", e);
            case HostkeyException.Ambiguous a -> CliException.unavailable("Hostkey did not answer " + what + ": " + a.getMessage(),
                    "retry shortly", e);
        };
    }

    @Override
    public void close() {
        try {
            for (String account : accounts) {
                client.logout(account);
            }
        } catch (HostkeyException e) {
            // The session expires by itself; failing the command for it would hide its real result.
            log.debug("Hostkey logout failed: {}", e.getMessage());
        } finally {
            client.close();
        }
    }
}

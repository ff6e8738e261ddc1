package com.hostkey.invapi.client;

import java.util.List;

/**
 * The calls a reinstall makes against Hostkey's invapi, one method per call.
 *
 * <p>Every method either returns the typed answer or throws a {@link HostkeyException} subtype;
 * callers decide on the exception's type (see the taxonomy there), never on message text.
 * Non-idempotent calls ({@link #createReinstallKey}, {@link #createPxe}, {@link #reboot},
 * {@link #runJenkinsTask}) are never repeated by the client: an unknown outcome is raised as
 * {@link HostkeyException.Ambiguous}.
 *
 * <p>{@code account} names a configured credential set (API key, optional PIN); "default" when the
 * command names none.
 */
public interface HostkeyApi extends AutoCloseable {

    /**
     * This instance's share (0-1) of the deployment's request budget, from now on: the rates set for
     * the deployment are multiplied by it. Instances call it on every rebalance with the fraction of
     * partitions they own, so that together they spend one budget. Clients without a budget ignore it.
     */
    default void shareBudget(double fraction) {
    }

    /** {@code os.php action=list id=...}: the OSes offered for this server. Read, retried. */
    List<OsOffer> listOs(String account, long serverId);

    /** {@code eq.php action=show id=...}: the server's facts. Read, retried. */
    ServerFacts show(String account, long serverId);

    /** {@code jenkins.php action=get_tasks}: the Ansible tasks. Read, retried. */
    List<JenkinsTask> jenkinsTasks(String account);

    /** {@code eq.php action=reinstall id=...}: creates the master key all stages report on. */
    String createReinstallKey(String account, long serverId);

    /** {@code eq.php action=create_pxe ...}: answers with the callback key of the async action. */
    AsyncAction createPxe(String account, CreatePxeRequest request);

    /** {@code eq.php action=boot_dev media=...}: harmless to repeat, retried. */
    AsyncAction bootDevice(String account, long serverId, BootMedia media);

    /** {@code eq.php action=reboot id=...}: never repeated by the client. */
    AsyncAction reboot(String account, long serverId);

    /**
     * Launches one Jenkins/Ansible task on the server: the call Hostkey does not document, as
     * {@link JenkinsLaunch} configures it (assumed {@code jenkins.php action=run_task id task_id}).
     */
    AsyncAction runJenkinsTask(String account, long serverId, String taskId);

    /** {@code eq.php action=clear_pxe id=... hostname=...}: harmless to repeat, retried. */
    AsyncAction clearPxe(String account, long serverId, String hostname);

    /**
     * {@code eq.php action=status id=...}: asks for the power state (async, answered on the callback
     * key). Harmless, retried. A default method so that existing fakes of this interface still compile.
     */
    default AsyncAction status(String account, long serverId) {
        throw new UnsupportedOperationException("status is not implemented by " + getClass().getName());
    }

    /** {@code eq_callback.php action=check key=...}: no token; harmless, retried. */
    CallbackAnswer checkCallback(String key);

    @Override
    void close();

    /** Boot media accepted by {@code boot_dev}. */
    enum BootMedia {
        PXE("pxe"), DISK("disk"), CD("cd");

        private final String wire;

        BootMedia(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * An async action's immediate answer: the key to poll on eq_callback. {@code callbackKey} is
     * null when Hostkey answered OK without one (boot_dev, create_pxe and clear_pxe are only assumed
     * to be asynchronous).
     */
    record AsyncAction(String action, String callbackKey) {}

    /** One entry of os/list. Tags are the {tag, value} pairs flattened to a map. */
    record OsOffer(long id, String name, boolean active, java.util.Map<String, String> tags) {}

    /** One Jenkins task with its tags (gpu, bm, vm, vgpu, default). */
    record JenkinsTask(String id, String name, List<String> tags) {}

    /**
     * What {@code eq.php action=show} says of a server. {@code type} (bm, vm, gpu, vgpu), RAM, disks
     * and CPU cores are not documented by Hostkey (assumed field names, parsed leniently): null or
     * empty when the answer lacks them, and checks that need them are then left to Hostkey.
     */
    record ServerFacts(long id, String status, String hostname, String location, String type, Integer ramGb,
                       List<Long> diskSizesGb, List<String> tags, Integer cores) {

        /** Facts without a core count, as eq/show answers that carry none. */
        public ServerFacts(long id, String status, String hostname, String location, String type, Integer ramGb,
                           List<Long> diskSizesGb, List<String> tags) {
            this(id, status, hostname, location, type, ramGb, diskSizesGb, tags, null);
        }
    }

    /**
     * Everything create_pxe takes. {@code rootPassword} and {@code postInstallScript} are secrets
     * for logging purposes: {@link #toString()} masks them. {@code licences} is the per-core licence
     * count of an OS licensed per core, null for any other OS (the validator decides which); it is
     * sent in the configured {@link HostkeyClientConfig#licencesField()} only when set.
     */
    record CreatePxeRequest(
            long serverId,
            long osId,
            String rootPassword,
            String hostname,
            String sshKey,
            String postInstallCallback,
            String postInstallScript,
            String reinstallKey,
            String diskScheme,
            Integer licences) {

        /** A request for an OS that is not licensed per core: no licences sent. */
        public CreatePxeRequest(long serverId, long osId, String rootPassword, String hostname, String sshKey,
                                String postInstallCallback, String postInstallScript, String reinstallKey, String diskScheme) {
            this(serverId, osId, rootPassword, hostname, sshKey, postInstallCallback, postInstallScript, reinstallKey,
                    diskScheme, null);
        }

        @Override
        public String toString() {
            return "CreatePxeRequest[serverId=" + serverId + ", osId=" + osId + ", rootPassword=***"
                    + ", hostname=" + hostname + ", sshKey=" + (sshKey == null ? null : "<set>")
                    + ", postInstallCallback=" + postInstallCallback
                    + ", postInstallScript=" + (postInstallScript == null ? null : "***")
                    + ", reinstallKey=" + (reinstallKey == null ? null : "<set>")
                    + ", diskScheme=" + diskScheme + ", licences=" + licences + "]";
        }
    }

    /**
     * One answer of eq_callback check, classified. {@code stage} is set for {@link Kind#STAGE}
     * (and for {@link Kind#OK} if it names one) when the answer carries a recognisable stage number
     * ({@code context.stage}, else "Stage 3" in the scope text), else null. {@code scope} is the
     * answer's scope as text (objects as their JSON); for {@link Kind#ERROR} without a scope it is
     * the {@code debug} text, for {@link Kind#KEY_NOT_FOUND} Hostkey's message. {@code key} is the
     * key the answer names, else the key asked about.
     */
    record CallbackAnswer(Kind kind, String key, Integer stage, String scope, String action, String serverId) {

        public enum Kind {
            /** "Not ready" or any unrecognised result: keep polling. */
            NOT_READY,
            /** "Stage": an installer progress message on a reinstall master key. */
            STAGE,
            /** "OK": the action (or the whole install) is done; the key is now deleted. */
            OK,
            /** "Error": the task failed; {@code scope} holds the reason. */
            ERROR,
            /** "AsyncKey not found": the key is gone (already answered OK once, or never existed). */
            KEY_NOT_FOUND
        }
    }
}

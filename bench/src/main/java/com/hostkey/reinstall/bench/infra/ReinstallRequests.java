package com.hostkey.reinstall.bench.infra;

import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * ReinstallServer commands for servers of the simulator's generated fleet, as an upstream
 * provisioning system sends them: an OS that fits the server's type, a sealed root password, the
 * monitoring-agent post-install task (every server type takes it), LVM RAID0.
 */
public final class ReinstallRequests {

    /** Meets Hostkey's password policy. */
    static final String ROOT_PASSWORD = "Bench7%Password";
    /** Sealing is an RSA operation per secret; a few distinct blobs are as real for the handler as one per server. */
    private static final int SEALED_VARIANTS = 32;

    private final List<String> sealed = new ArrayList<>();
    private final String issuer;

    public ReinstallRequests(SecretSealer sealer, String issuer) {
        for (int i = 0; i < SEALED_VARIANTS; i++) {
            sealed.add(sealer.seal(ROOT_PASSWORD));
        }
        this.issuer = issuer;
    }

    /** The generated fleet cycles bm, bm, vm, gpu from id 1001: GPU servers take the GPU image. */
    public static long osFor(long serverId) {
        return (serverId - 1001) % 4 == 3 ? 301 : 101;
    }

    /**
     * A disk scheme create_pxe accepts for the server: the generated fleet's VMs have one disk, which
     * LVM_RAID0 does not fit (Hostkey's rule, hostkey-facts), so they get Hostkey's default (null).
     * The requests above keep LVM_RAID0 for every server: their VMs are refused at validation, by design.
     */
    public static String diskSchemeFitting(long serverId) {
        return (serverId - 1001) % 4 == 2 ? null : "LVM_RAID0";
    }

    public static String hostnameFor(long serverId) {
        return "srv" + serverId + ".bench.example.net";
    }

    public ReinstallRequest reinstall(long serverId, String requestId) {
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(serverId)
                .setIssuedAt(Instant.now())
                .setIssuedBy(issuer)
                .setPayload(ReinstallServer.newBuilder()
                        .setRequestId(requestId)
                        .setOsId(osFor(serverId))
                        .setHostname(hostnameFor(serverId))
                        .setRootPassword(sealed.get((int) (serverId % sealed.size())))
                        .setPartitionScheme(PartitionScheme.LVM_RAID0)
                        .setJenkinsTasks(List.of("monitoring-agent"))
                        .build())
                .build();
    }

    /** One command per server {@code first .. first+count-1}, request ids {@code prefix-<server>}. */
    public List<ReinstallRequest> reinstalls(long first, int count, String prefix) {
        List<ReinstallRequest> list = new ArrayList<>(count);
        for (long server = first; server < first + count; server++) {
            list.add(reinstall(server, prefix + "-" + server));
        }
        return list;
    }
}

package com.hostkey.reinstall.cli.request;

import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.HostkeyReads;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns the {@code --os} value into an OS id: a number is taken as the id; a name is looked up in
 * os/list for the server: an exact (case-insensitive) name first, else the one offer whose name
 * contains it. Active offers win over inactive ones.
 */
public final class OsResolver {

    private static final int LISTED = 10;

    private final Supplier<HostkeyReads> hostkey;

    /** @param hostkey opened on the first name to resolve; it throws a configuration error when Hostkey is not set up */
    public OsResolver(Supplier<HostkeyReads> hostkey) {
        this.hostkey = hostkey;
    }

    public record ResolvedOs(long id, String name) {}

    public static boolean isId(String os) {
        return os != null && os.strip().matches("\\d{1,18}");
    }

    /** @param field the option or column to name in errors */
    public ResolvedOs resolve(String os, long serverId, String account, String field) {
        if (os == null || os.isBlank()) {
            throw CliException.invalid(field, "the OS is missing", "give an OS id or name; 'reinstall os " + serverId + "' lists them");
        }
        if (isId(os)) {
            return new ResolvedOs(Long.parseLong(os.strip()), null);
        }
        HostkeyReads reads;
        try {
            reads = hostkey.get();
        } catch (CliException notConfigured) {
            throw new CliException(notConfigured.exitCode(), field, "'" + os + "' is an OS name, and names are resolved"
                    + " through Hostkey's os/list: " + notConfigured.getMessage(),
                    "give the numeric OS id instead, or configure Hostkey (HOSTKEY_BASE_URL, HOSTKEY_API_KEY)", notConfigured);
        }
        List<OsOffer> offers = reads.listOs(account, serverId);
        String wanted = normalise(os);
        List<OsOffer> exact = offers.stream().filter(o -> o.name() != null && normalise(o.name()).equals(wanted)).toList();
        List<OsOffer> matches = preferActive(exact);
        if (matches.isEmpty()) {
            matches = preferActive(offers.stream().filter(o -> o.name() != null && normalise(o.name()).contains(wanted)).toList());
        }
        if (matches.size() == 1) {
            return new ResolvedOs(matches.getFirst().id(), matches.getFirst().name());
        }
        if (matches.isEmpty()) {
            throw CliException.invalid(field, "no OS offered for server " + serverId + " is called '" + os + "'",
                    "choose one of: " + listed(offers.stream().filter(OsOffer::active).toList())
                            + " (or see 'reinstall os " + serverId + "')");
        }
        throw CliException.invalid(field, "'" + os + "' matches " + matches.size() + " OSes offered for server " + serverId,
                "give the id or the full name of one of: " + listed(matches));
    }

    private static List<OsOffer> preferActive(List<OsOffer> offers) {
        List<OsOffer> active = offers.stream().filter(OsOffer::active).toList();
        return active.isEmpty() ? offers : active;
    }

    private static String normalise(String name) {
        return name.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    private static String listed(List<OsOffer> offers) {
        String shown = offers.stream().limit(LISTED).map(o -> o.id() + " (" + o.name() + ")").collect(Collectors.joining(", "));
        return offers.size() > LISTED ? shown + " and " + (offers.size() - LISTED) + " more" : shown;
    }
}

package com.hostkey.reinstall.cli.command;

import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.reinstall.cli.HostkeyReads;
import com.hostkey.reinstall.cli.Output;
import com.hostkey.reinstall.cli.ServerIdConverter;
import com.hostkey.reinstall.cli.request.RequestSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code os SERVER}: the OSes Hostkey offers for the server, and whether each would pass validation. */
@Command(name = "os", mixinStandardHelpOptions = true, sortOptions = false, description = "List the OSes offered for a server and whether each fits it (Hostkey os/list, eq/show).")
public final class OsCommand extends CliCommand {

    @Parameters(index = "0", paramLabel = "SERVER", converter = ServerIdConverter.class, description = "Hostkey server id")
    long serverId;

    @Option(names = "--account", paramLabel = "NAME", defaultValue = RequestSpec.DEFAULT_ACCOUNT,
            description = "Hostkey account (default ${DEFAULT-VALUE})")
    String account;

    @Option(names = "--all", description = "Also list inactive OSes and those that do not fit")
    boolean all;

    @Override
    public Integer call() {
        Output output = output();
        ServerFacts facts;
        List<OsOffer> offers;
        try (HostkeyReads hostkey = context().connectors().hostkey(context().env())) {
            facts = hostkey.show(account, serverId);
            offers = hostkey.listOs(account, serverId);
        }
        HostkeyFit fit = new HostkeyFit();
        List<Row> rows = new ArrayList<>();
        for (OsOffer offer : offers.stream().sorted(Comparator.comparing(OsOffer::id)).toList()) {
            HostkeyFit.Fit f = fit.os(offer, offers, facts, account);
            if (all || f.fits()) {
                rows.add(new Row(offer, f));
            }
        }
        if (output.json()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("serverId", serverId);
            json.put("server", TasksCommand.facts(facts));
            json.put("offers", rows.stream().map(Row::json).toList());
            output.document(json);
            return 0;
        }
        output.line("Server " + serverId + ": " + TasksCommand.describe(facts));
        if (rows.isEmpty()) {
            output.line(all ? "Hostkey offers no OS for this server." : "No active OS fits this server; --all lists every offer.");
            return 0;
        }
        String format = "%-8s %-40s %-5s %s";
        output.line(String.format(Locale.ROOT, format, "ID", "NAME", "FITS", "NOTE"));
        for (Row row : rows) {
            output.line(String.format(Locale.ROOT, format, row.offer().id(), row.offer().name() == null ? "" : row.offer().name(),
                    row.fit().fits() ? "yes" : "no", row.fit().note()).stripTrailing());
        }
        output.line(rows.size() + " OS" + (rows.size() == 1 ? "" : "es") + (all ? "" : " that fit") + "; submit with --os ID");
        return 0;
    }

    private record Row(OsOffer offer, HostkeyFit.Fit fit) {

        Map<String, Object> json() {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", offer.id());
            row.put("name", offer.name());
            row.put("active", offer.active());
            row.put("fits", fit.fits());
            row.put("note", fit.note().isEmpty() ? null : fit.note());
            row.put("tags", offer.tags());
            return row;
        }
    }
}

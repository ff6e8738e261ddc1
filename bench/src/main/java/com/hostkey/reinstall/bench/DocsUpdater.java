package com.hostkey.reinstall.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Puts the latest summary table of a profile into docs/benchmarks.md, between the markers
 * {@code <!-- bench:results:PROFILE:start -->} and {@code <!-- bench:results:PROFILE:end -->};
 * everything else in the page is written by hand and left alone. Without the markers the block is
 * appended.
 */
public final class DocsUpdater {

    private DocsUpdater() {}

    public static void update(Path page, String profile, String summary) throws IOException {
        String start = "<!-- bench:results:" + profile + ":start -->";
        String end = "<!-- bench:results:" + profile + ":end -->";
        String block = start + "\n" + summary.strip() + "\n" + end;
        String text = Files.exists(page) ? Files.readString(page) : "# Benchmarks\n";
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        String updated;
        if (from >= 0 && to > from) {
            updated = text.substring(0, from) + block + text.substring(to + end.length());
        } else {
            updated = text.stripTrailing() + "\n\n" + block + "\n";
        }
        Files.writeString(page, updated);
    }
}

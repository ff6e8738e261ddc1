package com.hostkey.invapi.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What os/list's requirement tags may be called: the seed names {@code min_ram}, {@code min_hdd}
 * and {@code price_per_core_EUR}, which Hostkey does not document as tag names. A build that uses
 * others is told here ({@code HOSTKEY_OS_TAG_MIN_RAM}, {@code HOSTKEY_OS_TAG_MIN_HDD},
 * {@code HOSTKEY_OS_TAG_PRICE_PER_CORE}: comma-separated names tried in order); the client then
 * files the first one present under the seed name, so everything past the client (the validator,
 * {@code reinstall os}, the doctor) reads one vocabulary.
 *
 * @param aliases by seed name, the other names it may come under
 */
public record OsTagNames(Map<String, List<String>> aliases) {

    public static final String MIN_RAM = "min_ram";
    public static final String MIN_HDD = "min_hdd";
    public static final String PRICE_PER_CORE = "price_per_core_EUR";
    /** Only the seed names. */
    public static final OsTagNames SEED = new OsTagNames(Map.of());

    static final Map<String, String> ENV = Map.of(MIN_RAM, "HOSTKEY_OS_TAG_MIN_RAM", MIN_HDD, "HOSTKEY_OS_TAG_MIN_HDD",
            PRICE_PER_CORE, "HOSTKEY_OS_TAG_PRICE_PER_CORE");

    public OsTagNames {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        aliases.forEach((seed, names) -> {
            if (!ENV.containsKey(seed)) {
                throw new IllegalArgumentException("not an os/list requirement tag: " + seed + " (one of " + ENV.keySet() + ")");
            }
            if (names.stream().anyMatch(n -> n == null || n.isBlank())) {
                throw new IllegalArgumentException("a blank name for os/list tag " + seed + ": " + names);
            }
            copy.put(seed, List.copyOf(names));
        });
        aliases = Map.copyOf(copy);
    }

    /** The same names with {@code seed} also read under {@code names}, tried in order. */
    public OsTagNames with(String seed, String... names) {
        Map<String, List<String>> more = new LinkedHashMap<>(aliases);
        List<String> all = new ArrayList<>(more.getOrDefault(seed, List.of()));
        all.addAll(Arrays.asList(names));
        more.put(seed, all);
        return new OsTagNames(more);
    }

    static OsTagNames fromEnv(Map<String, String> env) {
        OsTagNames names = SEED;
        for (Map.Entry<String, String> e : ENV.entrySet()) {
            String value = env.get(e.getValue());
            if (value != null && !value.isBlank()) {
                names = names.with(e.getKey(), Arrays.stream(value.split(",")).map(String::strip).filter(n -> !n.isEmpty())
                        .toArray(String[]::new));
            }
        }
        return names;
    }

    /** Files the first alias present under its seed name, where the seed name itself is absent. */
    Map<String, String> canonical(Map<String, String> tags) {
        if (aliases.isEmpty()) {
            return tags;
        }
        Map<String, String> out = new LinkedHashMap<>(tags);
        aliases.forEach((seed, names) -> {
            if (!out.containsKey(seed)) {
                names.stream().filter(out::containsKey).findFirst().ifPresent(name -> out.put(seed, out.get(name)));
            }
        });
        return java.util.Collections.unmodifiableMap(out);
    }
}

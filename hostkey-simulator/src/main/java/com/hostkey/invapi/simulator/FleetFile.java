package com.hostkey.invapi.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a fleet file: a JSON array of server objects, e.g.
 * <pre>{@code
 * [{"id":2001,"type":"bm","location":"NL","ram_gb":64,"disks":[{"size_gb":480},{"size_gb":480}],
 *   "cpu_cores":12,"hostname":"db1.example.net","account":"default","power":"on","boot_device":"disk"}]
 * }</pre>
 * Only {@code id} is required. Defaults: type bm, location NL, 64 GB RAM (8 for vm), 2 x 480 GB
 * (1 x 60 for vm), cores by type ({@link ServerSpec#defaultCores}), hostname
 * {@code srv<id>.example.net}, the first account, power on, boot device disk, no PXE config. Disks
 * may also be plain sizes ({@code [480, 480]}); camelCase names ({@code ramGb}, {@code bootDevice},
 * {@code powerState}, {@code diskSizesGb}, {@code pxeConfigLeft}, {@code cpuCores}) and
 * {@code cores} are accepted too.
 */
public final class FleetFile {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FleetFile() {
    }

    public static List<ServerSpec> read(Path file) {
        try {
            return parse(MAPPER.readTree(Files.readAllBytes(file)), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fleet file " + file, e);
        }
    }

    public static List<ServerSpec> parse(String json) {
        try {
            return parse(MAPPER.readTree(json), "fleet JSON");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse fleet JSON", e);
        }
    }

    private static List<ServerSpec> parse(JsonNode root, String source) {
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(source + ": expected a JSON array of servers");
        }
        List<ServerSpec> fleet = new ArrayList<>();
        Set<Long> ids = new HashSet<>();
        for (JsonNode node : root) {
            JsonNode idNode = node.get("id");
            if (idNode == null || !idNode.canConvertToLong() && !idNode.asText().matches("\\d+")) {
                throw new IllegalArgumentException(source + ": every server needs a numeric id: " + node);
            }
            long id = idNode.asLong();
            if (!ids.add(id)) {
                throw new IllegalArgumentException(source + ": duplicate server id " + id);
            }
            String type = text(node, "bm", "type");
            boolean vm = type.equals("vm");
            fleet.add(new ServerSpec(
                    id,
                    type,
                    text(node, "NL", "location"),
                    node.has("ram_gb") || node.has("ramGb") ? number(node, "ram_gb", "ramGb") : vm ? 8 : 64,
                    disks(node, vm),
                    text(node, "srv" + id + ".example.net", "hostname"),
                    text(node, null, "account"),
                    text(node, "on", "power", "powerState", "power_state"),
                    text(node, "disk", "boot_device", "bootDevice"),
                    bool(node, "pxe_config_left", "pxeConfigLeft", "pxe_config_present", "pxeConfigPresent"),
                    first(node, "cpu_cores", "cpuCores", "cores") != null ? number(node, "cpu_cores", "cpuCores", "cores")
                            : ServerSpec.defaultCores(type)));
        }
        return fleet;
    }

    private static List<Integer> disks(JsonNode node, boolean vm) {
        JsonNode disks = first(node, "disks", "diskSizesGb", "disk_sizes_gb");
        if (disks == null || !disks.isArray() || disks.isEmpty()) {
            return vm ? List.of(60) : List.of(480, 480);
        }
        List<Integer> sizes = new ArrayList<>();
        for (JsonNode disk : disks) {
            sizes.add(disk.isObject() ? number(disk, "size_gb", "sizeGb") : disk.asInt());
        }
        return sizes;
    }

    private static String text(JsonNode node, String fallback, String... names) {
        JsonNode value = first(node, names);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    private static int number(JsonNode node, String... names) {
        JsonNode value = first(node, names);
        if (value == null || !(value.canConvertToInt() || value.asText().matches("\\d+"))) {
            throw new IllegalArgumentException("expected a number in " + String.join("/", names) + ": " + node);
        }
        return value.asInt();
    }

    private static boolean bool(JsonNode node, String... names) {
        JsonNode value = first(node, names);
        return value != null && (value.asBoolean() || "1".equals(value.asText()));
    }

    private static JsonNode first(JsonNode node, String... names) {
        for (String name : names) {
            if (node.has(name)) {
                return node.get(name);
            }
        }
        return null;
    }
}

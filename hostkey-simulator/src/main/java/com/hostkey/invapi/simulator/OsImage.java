package com.hostkey.invapi.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One OS of the catalogue {@code os.php action=list} chooses from.
 *
 * @param id        the {@code os_id} create_pxe takes
 * @param name      display name
 * @param types     server types it runs on ({@code bm}, {@code vm}, {@code gpu}, {@code vgpu})
 * @param minRamGb  {@code min_ram} tag
 * @param minHddGb  {@code min_hdd} tag, compared with the server's smallest disk
 * @param extraTags further tags, e.g. {@code price_per_core_EUR}
 */
public record OsImage(long id, String name, List<String> types, int minRamGb, int minHddGb,
                      Map<String, String> extraTags) {

    public OsImage {
        Objects.requireNonNull(name, "name");
        types = List.copyOf(types);
        extraTags = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extraTags));
    }

    /** The os/list tag that marks an OS licensed per core (MS SPLA) and gives its price. */
    public static final String PRICE_PER_CORE_TAG = "price_per_core_EUR";

    /** Licensed per core: its os/list entry has a {@value #PRICE_PER_CORE_TAG} tag, and create_pxe needs licences. */
    public boolean licensedPerCore() {
        String price = extraTags.get(PRICE_PER_CORE_TAG);
        return price != null && !price.isBlank();
    }

    /** Whether this OS is offered for a server of this type, RAM and smallest disk. */
    public boolean fits(String serverType, int ramGb, int smallestDiskGb) {
        return types.contains(serverType) && ramGb >= minRamGb && smallestDiskGb >= minHddGb;
    }

    /** Ubuntu 22.04/24.04, Debian 12, Rocky 9, Windows Server 2022 (SPLA), Ubuntu 22.04 GPU. */
    public static List<OsImage> defaultCatalogue() {
        List<String> bmVm = List.of("bm", "vm");
        return List.of(
                new OsImage(101, "Ubuntu 22.04", bmVm, 2, 20, Map.of()),
                new OsImage(102, "Ubuntu 24.04", bmVm, 2, 25, Map.of()),
                new OsImage(103, "Debian 12", bmVm, 1, 10, Map.of()),
                new OsImage(104, "Rocky 9", bmVm, 2, 20, Map.of()),
                new OsImage(201, "Windows Server 2022", bmVm, 4, 60, Map.of(PRICE_PER_CORE_TAG, "1.5")),
                new OsImage(301, "Ubuntu 22.04 GPU", List.of("gpu", "vgpu"), 16, 100, Map.of()));
    }
}

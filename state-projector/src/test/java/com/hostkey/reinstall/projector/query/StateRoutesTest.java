package com.hostkey.reinstall.projector.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateRoutesTest {

    @Test
    void shouldMergeTheInstancesSharesNewestFirstUpToTheLimit() {
        Map<String, Object> first = Map.of("reinstalls", List.of(view(1, "2026-11-24T10:00:03Z"), view(2, "2026-11-24T10:00:01Z")));
        Map<String, Object> second = Map.of("reinstalls", List.of(view(3, "2026-11-24T10:00:02Z"), view(4, "2026-11-24T10:00:03Z")));

        Map<String, Object> listing = StateRoutes.merge(List.of(first, second, Map.of()), ReinstallQuery.forList("limit=3"), 3);

        assertThat(listing).containsEntry("count", 3).containsEntry("limit", 3).containsEntry("instances", 3);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> states = (List<Map<String, Object>>) listing.get("reinstalls");
        assertThat(states).extracting(v -> v.get("serverId")).as("same time: the lower server id first").containsExactly(1L, 4L, 3L);
    }

    private static Map<String, Object> view(long serverId, String updatedAt) {
        return Map.of("serverId", serverId, "updatedAt", updatedAt);
    }
}

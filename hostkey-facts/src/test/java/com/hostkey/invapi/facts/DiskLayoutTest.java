package com.hostkey.invapi.facts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DiskLayoutTest {

    @Test
    void shouldHoldTheDocumentedDiskCounts() {
        assertThat(Arrays.stream(DiskLayout.values()).filter(l -> l.fits(1))).as("one disk: no RAID").isEmpty();
        assertThat(Arrays.stream(DiskLayout.values()).filter(l -> l.fits(2)))
                .containsExactly(DiskLayout.LVM_RAID0, DiskLayout.LVM_HBA, DiskLayout.LVM_RAID1);
        assertThat(DiskLayout.LVM_RAID10.fits(3)).isFalse();
        assertThat(DiskLayout.LVM_RAID10.fits(4)).isTrue();
        assertThat(DiskLayout.LVM_RAID10S.fits(5)).as("no even-count rule is documented").isTrue();
    }

    @Test
    void shouldFindALayoutByItsNameInAnyCase() {
        assertThat(DiskLayout.named(" lvm_raid10s ")).contains(DiskLayout.LVM_RAID10S);
        assertThat(DiskLayout.named("RAID5")).isEmpty();
        assertThat(DiskLayout.named(null)).isEmpty();
    }

    @Test
    void shouldCountLicencesFromEightInStepsOfTwo() {
        assertThat(PerCoreLicences.isValidCount(8)).isTrue();
        assertThat(PerCoreLicences.isValidCount(10)).isTrue();
        assertThat(PerCoreLicences.isValidCount(9)).isFalse();
        assertThat(PerCoreLicences.isValidCount(6)).isFalse();
    }

    @Test
    void shouldAskForEnoughLicencesToCoverEveryCore() {
        assertThat(PerCoreLicences.minimumFor(4)).as("a small server still takes the minimum").isEqualTo(8);
        assertThat(PerCoreLicences.minimumFor(8)).isEqualTo(8);
        assertThat(PerCoreLicences.minimumFor(9)).as("the next step up").isEqualTo(10);
        assertThat(PerCoreLicences.minimumFor(12)).isEqualTo(12);
        assertThat(PerCoreLicences.covers(12, 12)).isTrue();
        assertThat(PerCoreLicences.covers(10, 12)).isFalse();
        assertThat(PerCoreLicences.covers(11, 10)).as("covers the cores, but odd").isFalse();
        assertThat(PerCoreLicences.covers(8, 2)).isTrue();
    }
}

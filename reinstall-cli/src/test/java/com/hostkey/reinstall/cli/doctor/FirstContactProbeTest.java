package com.hostkey.reinstall.cli.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.invapi.client.HostkeyClient.LoginFacts;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.FakeConnectors.FakeHostkey;
import com.hostkey.reinstall.cli.doctor.FirstContactProbe.Finding;
import com.hostkey.reinstall.cli.doctor.FirstContactProbe.Report;
import com.hostkey.reinstall.cli.doctor.FirstContactProbe.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The probe's judgement of answers the simulator does not give, from scripted reads. */
class FirstContactProbeTest {

    private final FakeHostkey hostkey = new FakeHostkey();

    @BeforeEach
    void wellShapedAnswers() {
        hostkey.offers = List.of(new OsOffer(101, "Ubuntu 22.04", true, Map.of("bm", "1", "min_ram", "2", "min_hdd", "20")));
        hostkey.tasks = List.of(new JenkinsTask("agent", "Monitoring agent", List.of("default")));
    }

    private Report probe() {
        return new FirstContactProbe(hostkey, "default", 1001).run();
    }

    private static Finding finding(Report report, String check) {
        return report.findings().stream().filter(f -> f.check().equals(check)).findFirst().orElseThrow();
    }

    @Test
    void shouldAdviseAskingForTheLifetimeHostkeyGrants() {
        hostkey.login = new LoginFacts(true, true, Duration.ofHours(1), Duration.ofMinutes(30), List.of(1001L));

        Finding lifetime = finding(probe(), "token lifetime");

        assertThat(lifetime.status()).isEqualTo(Status.NOTE);
        assertThat(lifetime.setting()).isEqualTo("HOSTKEY_TOKEN_TTL_SECONDS");
        assertThat(lifetime.fix()).isEqualTo("set HOSTKEY_TOKEN_TTL_SECONDS=1800 to ask for what is granted");
    }

    @Test
    void shouldNoteALoginWithoutExpiryAndATokenShorterThanTwiceTheMargin() {
        hostkey.login = new LoginFacts(true, false, Duration.ofHours(1), Duration.ofHours(1), null);
        Report report = probe();
        assertThat(finding(report, "token lifetime").detail()).contains("no token_expire");
        assertThat(finding(report, "login servers").status()).isEqualTo(Status.NOTE);

        hostkey.login = new LoginFacts(true, true, Duration.ofHours(1), Duration.ofSeconds(200), List.of(1001L));
        assertThat(finding(probe(), "token lifetime").fix()).isEqualTo("set HOSTKEY_TOKEN_REFRESH_MARGIN_SECONDS below 100");
    }

    @Test
    void shouldCallMissingOsTagsAndAnUnknownServerTypeProblems() {
        hostkey.offers = List.of(new OsOffer(101, "Ubuntu 22.04", true, Map.of("bm", "1")));
        hostkey.facts = new ServerFacts(1001, "rent", "h", "NL", "dedicated", 32, List.of(480L), List.of());

        Report report = probe();

        assertThat(finding(report, "os/list tags").status()).isEqualTo(Status.PROBLEM);
        assertThat(finding(report, "os/list tags").detail()).contains("RAM and disk-size checks will be skipped");
        assertThat(finding(report, "eq/show type").detail()).contains("'dedicated' is none of bm, vm, vds, gpu, vgpu");
        assertThat(report.exitCode()).isEqualTo(ExitCode.UNMET_ASSUMPTION);
    }

    @Test
    void shouldCallAnEmptyOrUntaggedTaskListAProblem() {
        hostkey.tasks = List.of();
        assertThat(finding(probe(), "jenkins/get_tasks").detail()).contains("no task read");

        hostkey.tasks = List.of(new JenkinsTask("agent", "Monitoring agent", List.of()));
        assertThat(finding(probe(), "jenkins/get_tasks").detail()).contains("1 of 1 tasks have no tags");
    }

    @Test
    void shouldNoteThatAnUnknownServerAnsweredAndStayOk() {
        Report report = probe();

        assertThat(finding(report, "not-found wording").status()).isEqualTo(Status.NOTE);
        assertThat(report.verdict()).isEqualTo(FirstContactProbe.Verdict.OK);
        assertThat(report.exitCode()).isZero();
    }
}

package com.hostkey.invapi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostkeyClientConfigTest {

    @TempDir
    Path dir;

    @Test
    void shouldReadDefaultAccountAndDefaults() {
        HostkeyClientConfig c = HostkeyClientConfig.fromEnv(Map.of(
                "HOSTKEY_BASE_URL", "https://invapi.hostkey.com/", "HOSTKEY_API_KEY", "key-1"));

        assertThat(c.baseUrl()).isEqualTo("https://invapi.hostkey.com");
        assertThat(c.accounts()).containsOnlyKeys("default");
        assertThat(c.accounts().get("default")).isEqualTo(new Credentials("key-1", null));
        assertThat(c.retry()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(c.requestsPerSecond()).isEqualTo(10);
        assertThat(c.tokenTtl()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(c.refreshMargin()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.diskSchemeField()).isEqualTo("disk_scheme");
        assertThat(c.refusals()).isEqualTo(RefusalPatterns.DEFAULTS);
        assertThat(c.licencesField()).isEqualTo("licenses");
        assertThat(c.jenkinsLaunch()).isEqualTo(new JenkinsLaunch("jenkins", "run_task", "id", "task_id"));
    }

    @Test
    void shouldReadTheAssumedWireNamesOfLicencesAndTheJenkinsLaunch() {
        Map<String, String> env = new HashMap<>(Map.of("HOSTKEY_BASE_URL", "http://x", "HOSTKEY_API_KEY", "k",
                "HOSTKEY_LICENCES_FIELD", "spla", "HOSTKEY_JENKINS_RUN_ACTION", "start",
                "HOSTKEY_JENKINS_TASK_FIELD", "job"));

        HostkeyClientConfig c = HostkeyClientConfig.fromEnv(env);

        assertThat(c.licencesField()).isEqualTo("spla");
        assertThat(c.jenkinsLaunch()).as("an action alone stays in jenkins.php")
                .isEqualTo(new JenkinsLaunch("jenkins", "start", "id", "job"));

        env.put("HOSTKEY_JENKINS_RUN_ACTION", " eq/run_jenkins ");
        env.put("HOSTKEY_JENKINS_SERVER_FIELD", "server_id");
        assertThat(HostkeyClientConfig.fromEnv(env).jenkinsLaunch())
                .isEqualTo(new JenkinsLaunch("eq", "run_jenkins", "server_id", "job"));
    }

    @Test
    void shouldNameTheJenkinsLaunchSettingThatCannotWork() {
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of("HOSTKEY_BASE_URL", "http://x", "HOSTKEY_API_KEY", "k",
                "HOSTKEY_JENKINS_TASK_FIELD", "id")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HOSTKEY_JENKINS_TASK_FIELD").hasMessageContaining("both 'id'");
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of("HOSTKEY_BASE_URL", "http://x", "HOSTKEY_API_KEY", "k",
                "HOSTKEY_JENKINS_RUN_ACTION", "jenkins/")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HOSTKEY_JENKINS_RUN_ACTION");
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of("HOSTKEY_BASE_URL", "http://x", "HOSTKEY_API_KEY", "k",
                "HOSTKEY_LICENCES_FIELD", "disk_scheme")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("licencesField and diskSchemeField");
    }

    @Test
    void shouldReplaceTheRefusalPatternsTheEnvironmentSets() {
        HostkeyClientConfig c = HostkeyClientConfig.fromEnv(Map.of(
                "HOSTKEY_BASE_URL", "https://invapi.hostkey.com", "HOSTKEY_API_KEY", "key-1",
                "HOSTKEY_REFUSAL_SERVER_NOT_FOUND_PATTERN", "no access to equipment",
                "HOSTKEY_REFUSAL_WRONG_PIN_PATTERN", " confirmation code rejected "));

        assertThat(c.refusals().pattern(Refusal.SERVER_NOT_FOUND)).isEqualTo("no access to equipment");
        assertThat(c.refusals().pattern(Refusal.WRONG_PIN)).isEqualTo("confirmation code rejected");
        assertThat(c.refusals().pattern(Refusal.HOSTNAME_MISMATCH)).isEqualTo(RefusalPatterns.defaultPattern(Refusal.HOSTNAME_MISMATCH));
        assertThat(c.refusals().classify("-1", "eq/show: server not found"))
                .as("a replaced pattern no longer knows the default wording").isEqualTo(Refusal.UNCLASSIFIED);
    }

    @Test
    void shouldNameTheRefusalPatternThatIsNotARegex() {
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of(
                "HOSTKEY_BASE_URL", "https://invapi.hostkey.com", "HOSTKEY_API_KEY", "key-1",
                "HOSTKEY_REFUSAL_ACCOUNT_LOCKED_PATTERN", "locked(")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HOSTKEY_REFUSAL_ACCOUNT_LOCKED_PATTERN");
    }

    @Test
    void shouldReadNamedAccountsWithPinsAndSecretFiles() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("b.key"), "key-b-from-file\n");
        Path pinFile = Files.writeString(dir.resolve("b.pin"), "4321\n");
        Map<String, String> env = new HashMap<>();
        env.put("HOSTKEY_BASE_URL", "http://127.0.0.1:8090");
        env.put("HOSTKEY_API_KEY", "key-default");
        env.put("HOSTKEY_PIN", "1111");
        env.put("HOSTKEY_ACCOUNTS", "a, b-eu");
        env.put("HOSTKEY_ACCOUNT_A_API_KEY", "key-a");
        env.put("HOSTKEY_ACCOUNT_B_EU_API_KEY_FILE", keyFile.toString());
        env.put("HOSTKEY_ACCOUNT_B_EU_PIN_FILE", pinFile.toString());
        env.put("HOSTKEY_RATE_LIMIT_RPS", "2.5");
        env.put("HOSTKEY_DISK_SCHEME_FIELD", "raid");
        env.put("HOSTKEY_ACTION_TIMEOUT_MS", "90000");

        HostkeyClientConfig c = HostkeyClientConfig.fromEnv(env);

        assertThat(c.accounts()).containsOnly(
                Map.entry("default", new Credentials("key-default", "1111")),
                Map.entry("a", new Credentials("key-a", null)),
                Map.entry("b-eu", new Credentials("key-b-from-file", "4321")));
        assertThat(c.requestsPerSecond()).isEqualTo(2.5);
        assertThat(c.diskSchemeField()).isEqualTo("raid");
        assertThat(c.actionTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.toString()).doesNotContain("key-default", "1111", "key-a", "key-b-from-file", "4321");
    }

    @Test
    void shouldNameTheMissingBaseUrl() {
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of("HOSTKEY_API_KEY", "k")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HOSTKEY_BASE_URL");
    }

    @Test
    void shouldNameTheMissingApiKey() {
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of("HOSTKEY_BASE_URL", "http://x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HOSTKEY_API_KEY");
    }

    @Test
    void shouldNameTheMissingKeyOfAListedAccount() {
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of(
                "HOSTKEY_BASE_URL", "http://x", "HOSTKEY_ACCOUNTS", "a,b", "HOSTKEY_ACCOUNT_A_API_KEY", "k")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HOSTKEY_ACCOUNT_B_API_KEY");
    }

    @Test
    void shouldNameAnUnreadableSecretFile() {
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of(
                "HOSTKEY_BASE_URL", "http://x", "HOSTKEY_API_KEY_FILE", dir.resolve("missing").toString())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HOSTKEY_API_KEY_FILE");
    }

    @Test
    void shouldRefuseASecretGivenTwice() {
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of(
                "HOSTKEY_BASE_URL", "http://x", "HOSTKEY_API_KEY", "k", "HOSTKEY_API_KEY_FILE", "/etc/k")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HOSTKEY_API_KEY_FILE");
    }

    @Test
    void shouldNameABadNumber() {
        assertThatThrownBy(() -> HostkeyClientConfig.fromEnv(Map.of(
                "HOSTKEY_BASE_URL", "http://x", "HOSTKEY_API_KEY", "k", "HOSTKEY_READ_TIMEOUT_MS", "soon")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("HOSTKEY_READ_TIMEOUT_MS");
    }

    @Test
    void shouldBackOffExponentiallyWithJitterUpToTheCap() {
        RetryPolicy p = RetryPolicy.DEFAULT;

        assertThat(p.backoff(1, 0.0)).isEqualTo(Duration.ofMillis(150));
        assertThat(p.backoff(1, 1.0)).isEqualTo(Duration.ofMillis(300));
        assertThat(p.backoff(2, 1.0)).isEqualTo(Duration.ofMillis(600));
        assertThat(p.backoff(5, 1.0)).isEqualTo(Duration.ofMillis(4800));
        assertThat(p.backoff(30, 1.0)).isEqualTo(Duration.ofSeconds(8));
        assertThat(p.backoff(30, 0.0)).isEqualTo(Duration.ofSeconds(4));
    }
}

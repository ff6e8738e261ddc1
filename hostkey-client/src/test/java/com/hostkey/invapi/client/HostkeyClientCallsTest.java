package com.hostkey.invapi.client;

import static com.hostkey.invapi.client.FakeInvapi.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.hostkey.invapi.client.HostkeyApi.AsyncAction;
import com.hostkey.invapi.client.HostkeyApi.BootMedia;
import com.hostkey.invapi.client.HostkeyApi.CreatePxeRequest;
import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The happy path of every call: what goes on the wire and how the documented answers are read. */
class HostkeyClientCallsTest extends InvapiTestBase {

    private static final String CALLBACK = "f685eaa0f06e47faa2e6bb5002828b00";

    @Test
    void shouldLoginWithApiKeyAndTtlAndSendTokenAsFormField() {
        invapi.enqueue("os/list", json(ok("\"action\":\"list\",\"os_list\":[]")));

        client.listOs("default", SERVER);

        Map<String, String> login = invapi.lastForm("auth/login");
        assertThat(login).containsEntry("key", FakeInvapi.API_KEY).containsEntry("ttl", "3600");
        assertThat(invapi.lastForm("os/list"))
                .containsEntry("action", "list")
                .containsEntry("id", "4242")
                .containsEntry("token", FakeInvapi.token(1));
    }

    @Test
    void shouldAcceptFlatLoginShape() {
        invapi.enqueue("auth/login", json("{\"token\":\"0123456789abcdef0123456789abcdef\",\"token_expire\":"
                + (clock.instant().getEpochSecond() + 3600) + "}"));
        invapi.enqueue("os/list", json(ok("\"os_list\":[]")));

        client.listOs("default", SERVER);

        assertThat(invapi.lastForm("os/list")).containsEntry("token", "0123456789abcdef0123456789abcdef");
    }

    @Test
    void shouldReadOsListWithTagPairsAndFlagFields() {
        invapi.enqueue("os/list", json(ok("""
                "action":"list","os_list":[
                  {"id":101,"name":"Ubuntu 22.04","active":1,"tags":[{"tag":"vm","value":"1"},{"tag":"min_ram","value":"2"}]},
                  {"id":"202","name":"Windows Server 2022","active":"0","bm":1,"gpu":0,
                   "tags":[{"tag":"price_per_core_EUR","value":"1.9"}]}
                ]""")));

        List<OsOffer> offers = client.listOs("default", SERVER);

        assertThat(offers).hasSize(2);
        assertThat(offers.get(0).id()).isEqualTo(101);
        assertThat(offers.get(0).name()).isEqualTo("Ubuntu 22.04");
        assertThat(offers.get(0).active()).isTrue();
        assertThat(offers.get(0).tags()).containsExactly(entry("vm", "1"), entry("min_ram", "2"));
        assertThat(offers.get(1).id()).isEqualTo(202);
        assertThat(offers.get(1).active()).isFalse();
        assertThat(offers.get(1).tags())
                .containsEntry("price_per_core_EUR", "1.9")
                .containsEntry("bm", "1")
                .containsEntry("gpu", "0");
    }

    @Test
    void shouldReadOsListEncodedAsPhpObject() {
        invapi.enqueue("os/list", json(ok("\"os_list\":{\"0\":{\"id\":1,\"name\":\"A\"},\"3\":{\"id\":2,\"name\":\"B\"}}")));

        assertThat(client.listOs("default", SERVER)).extracting(OsOffer::id).containsExactly(1L, 2L);
    }

    @Test
    void shouldShowServerWithNumericId() {
        invapi.enqueue("eq/show", json(ok("""
                "server_data":{"id":4242,"status":"rent","hostname":"gpu1.example.com","location":"NL",
                "tags":[{"tag":"reinstall_start","value":"1700000000"},"gpu"]}""")));

        ServerFacts facts = client.show("default", SERVER);

        assertThat(facts).isEqualTo(new ServerFacts(4242, "rent", "gpu1.example.com", "NL", null, null, List.of(),
                List.of("reinstall_start", "gpu")));
        assertThat(invapi.lastForm("eq/show")).containsEntry("action", "show").containsEntry("id", "4242");
    }

    @Test
    void shouldShowServerWithStringId() {
        invapi.enqueue("eq/show", json(ok("\"server_data\":{\"id\":\"4242\",\"status\":\"power_off\"}")));

        ServerFacts facts = client.show("default", SERVER);

        assertThat(facts.id()).isEqualTo(4242);
        assertThat(facts.status()).isEqualTo("power_off");
        assertThat(facts.tags()).isEmpty();
    }

    @Test
    void shouldNameTheFieldsOfServerDataForAProbe() {
        invapi.enqueue("eq/show", json(ok("\"server_data\":{\"id\":\"4242\",\"status\":\"rent\",\"memory\":64,\"cpu\":\"E5\"}")));

        HostkeyClient.ShowAnswer answer = client.showAnswer("default", SERVER);

        assertThat(answer.fields()).containsExactly("id", "status", "memory", "cpu");
        assertThat(answer.facts().ramGb()).as("memory is not among " + ShowFields.DEFAULTS.ram()).isNull();
    }

    @Test
    void shouldReadTheCoreCountFromAnyOfItsAssumedFieldNames() {
        invapi.enqueue("eq/show",
                json(ok("\"server_data\":{\"id\":\"4242\",\"cpu_cores\":12}")),
                json(ok("\"server_data\":{\"id\":\"4242\",\"cores\":\"16\"}")),
                json(ok("\"server_data\":{\"id\":\"4242\",\"core_count\":0}")),
                json(ok("\"server_data\":{\"id\":\"4242\",\"cpu\":\"2 x E5-2680\"}")));

        assertThat(client.show("default", SERVER).cores()).isEqualTo(12);
        assertThat(client.show("default", SERVER).cores()).as("a number as text").isEqualTo(16);
        assertThat(client.show("default", SERVER).cores()).as("zero cores is no count").isNull();
        assertThat(client.show("default", SERVER).cores()).as("cpu is not among " + ShowFields.DEFAULTS.cores()).isNull();
    }

    @Test
    void shouldReadServerTagsBesideServerData() {
        invapi.enqueue("eq/show", json(ok("\"server_data\":{\"id\":\"4242\",\"status\":\"rent\"},\"tags\":[\"bm\",\"reinstall_start\"]")));

        assertThat(client.show("default", SERVER).tags()).containsExactly("bm", "reinstall_start");
    }

    @Test
    void shouldListJenkinsTasksWithNumericOrStringIds() {
        invapi.enqueue("jenkins/get_tasks", json(ok("""
                "tasks":[{"id":7,"name":"nvidia-drivers","tags":["gpu","bm"]},
                         {"id":"docker","name":"Docker","tags":[{"tag":"default"}]}]""")));

        List<JenkinsTask> tasks = client.jenkinsTasks("default");

        assertThat(tasks).containsExactly(
                new JenkinsTask("7", "nvidia-drivers", List.of("gpu", "bm")),
                new JenkinsTask("docker", "Docker", List.of("default")));
        assertThat(invapi.lastForm("jenkins/get_tasks")).doesNotContainKey("pin");
    }

    @Test
    void shouldReadReinstallKeyFromAnyOfItsFieldNames() {
        invapi.enqueue("eq/reinstall",
                json(ok("\"action\":\"reinstall\",\"reinstall_key\":\"aaaa0000aaaa0000aaaa0000aaaa0001\"")),
                json(ok("\"action\":\"reinstall\",\"callback\":\"aaaa0000aaaa0000aaaa0000aaaa0002\"")),
                json(ok("\"key\":\"aaaa0000aaaa0000aaaa0000aaaa0003\"")));

        assertThat(client.createReinstallKey("default", SERVER)).isEqualTo("aaaa0000aaaa0000aaaa0000aaaa0001");
        assertThat(client.createReinstallKey("default", SERVER)).isEqualTo("aaaa0000aaaa0000aaaa0000aaaa0002");
        assertThat(client.createReinstallKey("default", SERVER)).isEqualTo("aaaa0000aaaa0000aaaa0000aaaa0003");
        assertThat(invapi.lastForm("eq/reinstall")).containsEntry("id", "4242");
    }

    @Test
    void shouldSendEveryCreatePxeFieldWithPinAndDiskScheme() {
        invapi.enqueue("eq/create_pxe", json(ok("\"action\":\"create_pxe\",\"callback\":\"" + CALLBACK + "\"")));

        AsyncAction answer = client.createPxe("default", new CreatePxeRequest(SERVER, 101, "Str0ng-Pass", "gpu1.example.com",
                "ssh-ed25519 AAAA test", "https://hooks.example/cb", "#!/bin/sh\necho hi", "bbbb0000bbbb0000bbbb0000bbbb0000",
                "LVM_RAID1"));

        assertThat(answer).isEqualTo(new AsyncAction("create_pxe", CALLBACK));
        assertThat(invapi.lastForm("eq/create_pxe")).containsExactly(
                entry("action", "create_pxe"),
                entry("token", FakeInvapi.token(1)),
                entry("id", "4242"),
                entry("pin", FakeInvapi.PIN),
                entry("os_id", "101"),
                entry("root_pass", "Str0ng-Pass"),
                entry("hostname", "gpu1.example.com"),
                entry("ssh_key", "ssh-ed25519 AAAA test"),
                entry("post_install_callback", "https://hooks.example/cb"),
                entry("post_install_script", "#!/bin/sh\necho hi"),
                entry("reinstall_key", "bbbb0000bbbb0000bbbb0000bbbb0000"),
                entry("disk_scheme", "LVM_RAID1"));
    }

    @Test
    void shouldOmitUnsetCreatePxeOptionalsAndUseConfiguredDiskSchemeField() {
        client.close();
        client = newClient(config().diskSchemeField("raid_type").build());
        invapi.enqueue("eq/create_pxe", json(ok("\"callback\":\"" + CALLBACK + "\"")));

        client.createPxe("nopin", new CreatePxeRequest(SERVER, 101, "Str0ng-Pass", "h1", null, null, null, null, "LVM_HBA"));

        assertThat(invapi.lastForm("eq/create_pxe"))
                .containsEntry("raid_type", "LVM_HBA")
                .doesNotContainKeys("pin", "ssh_key", "post_install_callback", "post_install_script", "reinstall_key",
                        "disk_scheme");
    }

    @Test
    void shouldSendTheLicencesOfALicensedOsUnderTheConfiguredFieldName() {
        invapi.enqueue("eq/create_pxe", json(ok("\"callback\":\"" + CALLBACK + "\"")), json(ok("\"callback\":\"" + CALLBACK + "\"")));

        client.createPxe("default", new CreatePxeRequest(SERVER, 201, "Str0ng-Pass", "win1", null, null, null, null, null, 12));
        assertThat(invapi.lastForm("eq/create_pxe")).as("the assumed default name")
                .containsEntry(HostkeyClientConfig.DEFAULT_LICENCES_FIELD, "12").containsEntry("os_id", "201");

        client.close();
        client = newClient(config().licencesField("spla_cores").build());
        client.createPxe("default", new CreatePxeRequest(SERVER, 201, "Str0ng-Pass", "win1", null, null, null, null, null, 8));
        assertThat(invapi.lastForm("eq/create_pxe"))
                .containsEntry("spla_cores", "8").doesNotContainKey(HostkeyClientConfig.DEFAULT_LICENCES_FIELD);
    }

    @Test
    void shouldSendNoLicencesFieldForAnOsThatIsNotLicensed() {
        invapi.enqueue("eq/create_pxe", json(ok("\"callback\":\"" + CALLBACK + "\"")));

        client.createPxe("default", new CreatePxeRequest(SERVER, 101, "Str0ng-Pass", "h1", null, null, null, null, null, null));

        assertThat(invapi.lastForm("eq/create_pxe")).doesNotContainKey(HostkeyClientConfig.DEFAULT_LICENCES_FIELD);
    }

    @Test
    void shouldBootFromMediaWithPin() {
        invapi.enqueue("eq/boot_dev", json(ok("\"action\":\"boot_dev\",\"callback\":\"" + CALLBACK + "\"")));

        AsyncAction answer = client.bootDevice("default", SERVER, BootMedia.PXE);

        assertThat(answer.callbackKey()).isEqualTo(CALLBACK);
        assertThat(invapi.lastForm("eq/boot_dev"))
                .containsEntry("media", "pxe").containsEntry("pin", FakeInvapi.PIN).containsEntry("id", "4242");
    }

    @Test
    void shouldRebootWithPinOnlyWhenTheAccountHasOne() {
        invapi.enqueue("eq/reboot",
                json("{\"result\":\"OK\",\"action\":\"reboot\",\"callback\":\"" + CALLBACK + "\"}"),
                json("{\"result\":\"OK\",\"action\":\"reboot\",\"callback\":\"" + CALLBACK + "\"}"));

        assertThat(client.reboot("default", SERVER)).isEqualTo(new AsyncAction("reboot", CALLBACK));
        assertThat(invapi.lastForm("eq/reboot")).containsEntry("pin", FakeInvapi.PIN);

        client.reboot("nopin", SERVER);
        assertThat(invapi.lastForm("eq/reboot")).doesNotContainKey("pin");
    }

    @Test
    void shouldRunJenkinsTaskWithServerAndTaskId() {
        invapi.enqueue("jenkins/run_task", json(ok("\"action\":\"run_task\",\"callback\":\"" + CALLBACK + "\"")));

        AsyncAction answer = client.runJenkinsTask("default", SERVER, "7");

        assertThat(answer).isEqualTo(new AsyncAction("run_task", CALLBACK));
        assertThat(invapi.lastForm("jenkins/run_task"))
                .containsEntry("id", "4242").containsEntry("task_id", "7").containsEntry("pin", FakeInvapi.PIN);
    }

    @Test
    void shouldLaunchAJenkinsTaskWithTheConfiguredModuleActionAndFieldNames() {
        client.close();
        client = newClient(config().jenkinsLaunch(JenkinsLaunch.ASSUMED.withAction("eq/start_jenkins")
                .withServerField("server_id").withTaskField("job")).build());
        invapi.enqueue("eq/start_jenkins", json(ok("\"action\":\"start_jenkins\",\"callback\":\"" + CALLBACK + "\"")));

        AsyncAction answer = client.runJenkinsTask("default", SERVER, "7");

        assertThat(answer).isEqualTo(new AsyncAction("start_jenkins", CALLBACK));
        assertThat(invapi.lastForm("eq/start_jenkins"))
                .containsEntry("action", "start_jenkins").containsEntry("server_id", "4242").containsEntry("job", "7")
                .containsEntry("pin", FakeInvapi.PIN).doesNotContainKeys("id", "task_id");
        assertThat(invapi.count("jenkins/run_task")).isZero();
    }

    @Test
    void shouldClearPxeWithHostnameAndWithoutPin() {
        invapi.enqueue("eq/clear_pxe", json(ok("\"action\":\"clear_pxe\"")));

        AsyncAction answer = client.clearPxe("default", SERVER, "gpu1.example.com");

        assertThat(answer).isEqualTo(new AsyncAction("clear_pxe", null));
        assertThat(invapi.lastForm("eq/clear_pxe"))
                .containsEntry("hostname", "gpu1.example.com").doesNotContainKey("pin");
    }

    @Test
    void shouldAskForPowerStatus() {
        invapi.enqueue("eq/status", json(ok("\"action\":\"status\",\"callback\":\"" + CALLBACK + "\"")));

        assertThat(client.status("default", SERVER)).isEqualTo(new AsyncAction("status", CALLBACK));
    }

    @Test
    void shouldTreatNullAccountAsDefault() {
        invapi.enqueue("eq/status", json(ok("\"callback\":\"" + CALLBACK + "\"")));

        client.status(null, SERVER);

        assertThat(invapi.lastForm("auth/login")).containsEntry("key", FakeInvapi.API_KEY);
    }

    @Test
    void shouldLogOutAndLogInAgainOnTheNextCall() {
        invapi.enqueue("eq/status", json(ok("\"callback\":\"" + CALLBACK + "\"")), json(ok("\"callback\":\"" + CALLBACK + "\"")));
        invapi.enqueue("auth/logout", json(ok("")));

        client.status("default", SERVER);
        client.logout("default");
        client.status("default", SERVER);

        assertThat(invapi.lastForm("auth/logout")).containsEntry("token", FakeInvapi.token(1));
        assertThat(invapi.logins()).isEqualTo(2);
        assertThat(invapi.lastForm("eq/status")).containsEntry("token", FakeInvapi.token(2));
    }
}

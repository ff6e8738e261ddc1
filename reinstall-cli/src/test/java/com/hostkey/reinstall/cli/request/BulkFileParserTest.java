package com.hostkey.reinstall.cli.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BulkFileParserTest {

    @TempDir
    Path dir;

    private List<BulkFileParser.Row> parse(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return BulkFileParser.parse(file);
    }

    @Test
    void shouldReadEveryFieldOfACsvRowWithPathsRelativeToTheFile() throws Exception {
        List<BulkFileParser.Row> rows = parse("servers.csv", """
                server,os,hostname,partition,ssh_key_file,script_file,callback_url,tasks,optional_tasks,licences,account,request_id,password_file
                1001,101,web1.example.net,lvm_raid1,keys/id.pub,/opt/s.sh,https://cb.example.net/x,agent;docker,extras,8,eu,order-1,pw/1001
                """);

        assertThat(rows).hasSize(1);
        BulkFileParser.Row row = rows.getFirst();
        assertThat(row.valid()).isTrue();
        assertThat(row.line()).isEqualTo(2);
        RequestSpec r = row.request();
        assertThat(r.serverId()).isEqualTo(1001);
        assertThat(r.os()).isEqualTo("101");
        assertThat(r.hostname()).isEqualTo("web1.example.net");
        assertThat(r.partition()).isEqualTo(PartitionScheme.LVM_RAID1);
        assertThat(r.sshKeyFile()).isEqualTo(dir.resolve("keys/id.pub"));
        assertThat(r.scriptFile()).isEqualTo(Path.of("/opt/s.sh"));
        assertThat(r.callbackUrl()).isEqualTo("https://cb.example.net/x");
        assertThat(r.tasks()).containsExactly("agent", "docker");
        assertThat(r.optionalTasks()).containsExactly("extras");
        assertThat(r.licences()).isEqualTo(8);
        assertThat(r.account()).isEqualTo("eu");
        assertThat(r.requestId()).isEqualTo("order-1");
        assertThat(r.passwordFile()).isEqualTo(dir.resolve("pw/1001"));
    }

    @Test
    void shouldAcceptCamelCaseAndSpacedColumnNamesAndDefaultTheRest() throws Exception {
        List<BulkFileParser.Row> rows = parse("s.csv", "Server ID,OS Name,hostName\n1001,Ubuntu 22.04,a.example.net\n");

        RequestSpec r = rows.getFirst().request();
        assertThat(r.os()).isEqualTo("Ubuntu 22.04");
        assertThat(r.account()).isEqualTo("default");
        assertThat(r.requestId()).startsWith("cli-");
        assertThat(r.tasks()).isEmpty();
        assertThat(r.passwordFile()).isNull();
    }

    @Test
    void shouldReportBadRowsWithTheirLineAndReasonAndKeepTheGoodOnes() throws Exception {
        List<BulkFileParser.Row> rows = parse("s.csv", """
                server,os,hostname,partition,licences
                1001,101,a.example.net,,
                abc,101,b.example.net,,
                1001,101,c.example.net,,
                1003,,d.example.net,,
                1004,101,e.example.net,RAID5,
                1005,101,f.example.net,,eight
                1006,101,g.example.net
                1007,101,"h.example.net",LVM_HBA,8
                """);

        assertThat(rows).extracting(BulkFileParser.Row::valid).containsExactly(true, false, false, false, false, false, false, true);
        assertThat(rows.get(1).error()).contains("server must be a positive whole number, got 'abc'");
        assertThat(rows.get(1).line()).isEqualTo(3);
        assertThat(rows.get(2).error()).contains("server 1001 is already on line 2");
        assertThat(rows.get(3).field()).isEqualTo("os");
        assertThat(rows.get(4).field()).isEqualTo("partition");
        assertThat(rows.get(4).error()).contains("RAID5").contains("LVM_RAID10S");
        assertThat(rows.get(5).error()).contains("licences must be a whole number");
        assertThat(rows.get(6).error()).contains("has 3 values, the header has 5 columns");
    }

    @Test
    void shouldRefuseAFileWithAnUnknownOrMissingColumn() {
        assertThatThrownBy(() -> parse("s.csv", "server,os,hostnme\n1,2,3\n"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("unknown column 'hostnme'")
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.INVALID_INPUT))
                .satisfies(e -> assertThat(((CliException) e).hint()).contains("hostname"));
        assertThatThrownBy(() -> parse("s.csv", "server,hostname\n1,a\n"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("no column os");
    }

    @Test
    void shouldRefuseAPlaintextPasswordColumn() {
        assertThatThrownBy(() -> parse("s.csv", "server,os,hostname,root_password\n1,2,a.b,Secret-123\n"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("a password column is not accepted")
                .hasMessageNotContaining("Secret-123");
    }

    @Test
    void shouldReadAJsonArrayWithListsAndNumbers() throws Exception {
        List<BulkFileParser.Row> rows = parse("s.json", """
                [{"server": 1001, "os": 101, "hostname": "a.example.net", "tasks": ["agent", "docker"], "licences": 8},
                 {"serverId": "1002", "osName": "Debian 12", "hostname": "b.example.net", "partitionScheme": "LVM_RAID0"},
                 {"server": 1003, "os": 101, "hostnme": "c"},
                 "not an object"]
                """);

        assertThat(rows).extracting(BulkFileParser.Row::valid).containsExactly(true, true, false, false);
        assertThat(rows.get(0).request().tasks()).containsExactly("agent", "docker");
        assertThat(rows.get(0).request().licences()).isEqualTo(8);
        assertThat(rows.get(1).request().partition()).isEqualTo(PartitionScheme.LVM_RAID0);
        assertThat(rows.get(2).error()).contains("unknown field 'hostnme'");
        assertThat(rows.get(3).line()).isEqualTo(4);
    }

    @Test
    void shouldAcceptAServersObjectAndDetectJsonWithoutItsExtension() throws Exception {
        List<BulkFileParser.Row> rows = parse("servers.txt", "{\"servers\": [{\"server\": 7, \"os\": 1, \"hostname\": \"x.y\"}]}");

        assertThat(rows).singleElement().satisfies(r -> assertThat(r.serverId()).isEqualTo(7L));
    }

    @Test
    void shouldSayWhereJsonIsMalformed() {
        assertThatThrownBy(() -> parse("s.json", "[{\"server\": 1,\n \"os\": }]"))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("line 2");
    }

    @Test
    void shouldRefuseAnEmptyOrMissingFile() {
        assertThatThrownBy(() -> parse("s.csv", "server,os,hostname\n"))
                .isInstanceOf(CliException.class).hasMessageContaining("lists no servers");
        assertThatThrownBy(() -> BulkFileParser.parse(dir.resolve("nope.csv")))
                .isInstanceOf(CliException.class)
                .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(ExitCode.NO_INPUT))
                .hasMessageContaining("no such file");
    }
}

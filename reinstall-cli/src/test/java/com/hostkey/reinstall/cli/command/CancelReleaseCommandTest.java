package com.hostkey.reinstall.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import org.junit.jupiter.api.Test;

class CancelReleaseCommandTest {

    private final CliRun cli = new CliRun().withKafka();

    @Test
    void shouldPublishACancelWithItsReasonAndIssuer() {
        CliRun.Result result = cli.run("cancel", "1001", "--reason", "wrong OS", "--issued-by", "ops:anna");

        assertThat(result.code()).isZero();
        ReinstallRequest command = cli.connectors.published.getFirst();
        assertThat(command.getServerId()).isEqualTo(1001);
        assertThat(command.getIssuedBy()).isEqualTo("ops:anna");
        assertThat(command.getPayload()).isEqualTo(CancelReinstall.newBuilder().setReason("wrong OS").build());
        assertThat(result.out()).contains("Cancel for server 1001 published (reinstall-requests partition 0 offset 0")
                .contains("reinstall watch 1001");
    }

    @Test
    void shouldNameTheRequestToCancelWhenAsked() {
        CliRun.Result result = cli.run("cancel", "1001", "--request", "order-7731");

        assertThat(result.code()).isZero();
        assertThat(((CancelReinstall) cli.connectors.published.getFirst().getPayload()).getTargetRequestId()).isEqualTo("order-7731");
    }

    @Test
    void shouldPublishAReleaseAndAnswerJson() {
        CliRun.Result result = cli.run("release", "1001", "--json");

        assertThat(result.code()).isZero();
        ReinstallRequest command = cli.connectors.published.getFirst();
        assertThat(command.getPayload()).isInstanceOf(ReleaseServer.class);
        assertThat(command.getIssuedBy()).startsWith("cli:");
        assertThat(result.json().get("command").asText()).isEqualTo("ReleaseServer");
        assertThat(result.json().get("commandId").asText()).isEqualTo(command.getCommandId());
        assertThat(result.json().get("topic").asText()).isEqualTo("reinstall-requests");
    }
}

package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;

/** Turns Kafka client failures into errors an operator can act on. */
final class KafkaErrors {

    private KafkaErrors() {}

    static CliException of(Throwable failure, KafkaSettings settings, String doing) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof TimeoutException) && !(cause instanceof SerializationException)
                && !(cause instanceof AuthorizationException) && !(cause instanceof AuthenticationException)) {
            cause = cause.getCause();
        }
        return switch (cause) {
            case TimeoutException t -> new CliException(ExitCode.UNAVAILABLE, "--bootstrap",
                    "Kafka at " + settings.bootstrap() + " did not answer within " + settings.timeout().toSeconds() + "s while " + doing,
                    "check that the broker runs and that --bootstrap (or KAFKA_BOOTSTRAP_SERVERS) names it", failure);
            case SerializationException s -> new CliException(ExitCode.UNAVAILABLE, "--registry",
                    "the schema registry at " + settings.registryUrl() + " failed while " + doing + ": " + s.getMessage(),
                    "check that the registry runs and that --registry (or SCHEMA_REGISTRY_URL) names it", failure);
            case AuthorizationException a -> new CliException(ExitCode.PERMISSION, null,
                    "Kafka refused access while " + doing + ": " + a.getMessage(),
                    "ask for write access to reinstall-requests and read access to the reinstall topics", failure);
            case AuthenticationException a -> new CliException(ExitCode.PERMISSION, null,
                    "Kafka did not accept the credentials while " + doing + ": " + a.getMessage(), null, failure);
            default -> new CliException(ExitCode.UNAVAILABLE, null,
                    "Kafka failed while " + doing + ": " + cause.getMessage(), null, failure);
        };
    }
}

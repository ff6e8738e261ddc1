package com.hostkey.reinstall.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * A Kafka client's settings from a properties file (what {@code kafka-*.sh --command-config} reads:
 * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, ...) plus the bootstrap
 * servers. The file holds a password: it is read, never printed; {@link #principal} names only the user.
 */
final class KafkaClientFile {

    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private KafkaClientFile() {}

    /** The file's settings with {@code bootstrap.servers}; {@code -} for no file: no settings (PLAINTEXT). */
    static Properties load(String bootstrapServers, String file) {
        Properties props = new Properties();
        if (!file.equals("-")) {
            try (Reader reader = Files.newBufferedReader(Path.of(file))) {
                props.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the client properties " + file, e);
            }
        }
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** Who the settings log in as, for messages: {@code User:<name>} of the JAAS login, or ANONYMOUS. */
    static String principal(Properties props) {
        Object jaas = props.get(SaslConfigs.SASL_JAAS_CONFIG);
        if (jaas != null) {
            Matcher m = USERNAME.matcher(jaas.toString());
            if (m.find()) {
                return "User:" + m.group(1);
            }
        }
        String protocol = String.valueOf(props.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"));
        return "User:ANONYMOUS (" + protocol + ")";
    }
}

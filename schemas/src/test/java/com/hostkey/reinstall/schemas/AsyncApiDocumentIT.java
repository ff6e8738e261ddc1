package com.hostkey.reinstall.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/asyncapi.yaml} passes the official AsyncAPI parser ({@code @asyncapi/parser}) with its
 * Avro schema parser ({@code @asyncapi/avro-schema-parser}), run by {@code docs/asyncapi/validate.mjs}
 * on node; and the validator refuses a broken copy, saying where and why. Needs node (20 or later)
 * and npm on the PATH. The parser is installed with {@code npm ci} into
 * {@code docs/asyncapi/node_modules} (git-ignored), from the npm registry the first time and again
 * only when {@code package-lock.json} changes.
 */
class AsyncApiDocumentIT {

    private static final Path NODE_PROJECT = AsyncApiContract.DOCUMENT.resolveSibling("asyncapi");
    private static final Path INSTALLED_LOCK = NODE_PROJECT.resolve("node_modules").resolve(".installed-from-lock.sha256");
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration VALIDATE_TIMEOUT = Duration.ofMinutes(2);

    /** What a command printed (stdout and stderr together) and how it exited. */
    record Run(int exitCode, String output) {}

    @BeforeAll
    static void installTheParser() throws IOException {
        String lock = sha256(Files.readAllBytes(NODE_PROJECT.resolve("package-lock.json")));
        if (Files.isRegularFile(INSTALLED_LOCK) && Files.readString(INSTALLED_LOCK).equals(lock)) {
            return;
        }
        // --ignore-scripts: the parser needs no install script, and none of its dependencies' runs here.
        Run install = run(List.of("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"), NODE_PROJECT, INSTALL_TIMEOUT);
        assertThat(install.exitCode()).as("npm ci in %s:%n%s", NODE_PROJECT, install.output()).isZero();
        Files.writeString(INSTALLED_LOCK, lock);
    }

    @Test
    void shouldAcceptTheDocument() {
        Run validation = validate(AsyncApiContract.DOCUMENT);

        assertThat(validation.exitCode()).as("validate.mjs said:%n%s", validation.output()).isZero();
        assertThat(validation.output()).contains("valid AsyncAPI 3.0.0 (2 channels, 2 operations, 2 messages;"
                + " payload formats: application/vnd.apache.avro+json;version=1.9.0)");
    }

    @Test
    void shouldRefuseWhatTheAsyncApiSchemaForbids(@TempDir Path copy) throws IOException {
        Path document = copyOfTheDocument(copy);
        replaceOnce(document, "action: send", "action: publish");

        Run validation = validate(document);

        assertThat(validation.exitCode()).as("validate.mjs said:%n%s", validation.output()).isEqualTo(1);
        assertThat(validation.output())
                .contains("error asyncapi-document-resolved at operations.sendReinstallRequest.action")
                .contains("\"action\" property must be equal to one of the allowed values: \"send\", \"receive\"")
                .contains("refused by @asyncapi/parser");
    }

    @Test
    void shouldRefuseAnAvroPayloadNamingATypeItDoesNotDefine(@TempDir Path copy) throws IOException {
        Path document = copyOfTheDocument(copy);
        // The .avsc source names the types of common/ without defining them, which the Avro parser cannot resolve.
        Files.copy(AsyncApiContract.AVRO_SOURCES.resolve("ReinstallCompletion.avsc"),
                copy.resolve("asyncapi/avro/ReinstallCompletion.avsc"), StandardCopyOption.REPLACE_EXISTING);

        Run validation = validate(document);

        assertThat(validation.exitCode()).as("validate.mjs said:%n%s", validation.output()).isEqualTo(1);
        assertThat(validation.output())
                .contains("error avro-schema at channels.reinstallCompletions.messages.reinstallCompletion.payload.schema")
                .contains("Avro payload of message ReinstallCompletion")
                .contains("undefined type name: com.hostkey.reinstall.schemas.avro.");
    }

    @Test
    void shouldRefuseAPayloadReferenceToNoFile(@TempDir Path copy) throws IOException {
        Path document = copyOfTheDocument(copy);
        replaceOnce(document, "'./asyncapi/avro/ReinstallRequest.avsc'", "'./asyncapi/avro/ReinstallRequests.avsc'");

        Run validation = validate(document);

        assertThat(validation.exitCode()).as("validate.mjs said:%n%s", validation.output()).isEqualTo(1);
        assertThat(validation.output())
                .contains("error invalid-ref at components.messages.ReinstallRequest.payload.schema.$ref")
                .contains("no such file or directory").contains("ReinstallRequests.avsc");
    }

    private static Run validate(Path document) {
        return run(List.of("node", "validate.mjs", document.toAbsolutePath().toString()), NODE_PROJECT, VALIDATE_TIMEOUT);
    }

    /** The document and the payload files it references, under {@code directory}, as in docs/. */
    private static Path copyOfTheDocument(Path directory) throws IOException {
        Path document = directory.resolve("asyncapi.yaml");
        Files.copy(AsyncApiContract.DOCUMENT, document);
        Files.createDirectories(directory.resolve("asyncapi/avro"));
        try (Stream<Path> files = Files.list(NODE_PROJECT.resolve("avro"))) {
            for (Path file : files.toList()) {
                Files.copy(file, directory.resolve("asyncapi/avro").resolve(file.getFileName()));
            }
        }
        return document;
    }

    private static void replaceOnce(Path file, String text, String replacement) throws IOException {
        String content = Files.readString(file);
        assertThat(content.indexOf(text)).as("'%s' in %s", text, file).isNotNegative().isEqualTo(content.lastIndexOf(text));
        Files.writeString(file, content.replace(text, replacement));
    }

    private static Run run(List<String> command, Path directory, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(new ArrayList<>(command)).directory(directory.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + " (node 20 or later and npm must be on the PATH)", e);
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + timeout);
            }
            return new Run(process.exitValue(), output.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new AssertionError("interrupted while running " + command, e);
        } catch (Exception e) {
            throw new AssertionError("cannot read what " + command + " printed", e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

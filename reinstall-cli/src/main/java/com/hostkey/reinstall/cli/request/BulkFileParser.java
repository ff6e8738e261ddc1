package com.hostkey.reinstall.cli.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads the servers of a bulk submission from CSV (a header row, then one server per row) or
 * JSON (an array of objects, or {@code {"servers": [...]}}), with the same fields as submit:
 *
 * <pre>
 *   server, os, hostname                              required
 *   partition, ssh_key_file, script_file, callback_url,
 *   tasks, optional_tasks, licences, account,
 *   request_id, password_file                         optional
 * </pre>
 * Column names are matched ignoring case, '_', '-' and spaces ({@code serverId} = {@code server_id}
 * = {@code server}). Task lists are separated by ';', '|', ',' or spaces (in JSON also an array).
 * Relative paths are relative to the bulk file. A password column is refused: passwords go in
 * files ({@code password_file}) or are given once for all rows.
 *
 * <p>Problems with the file as a whole (unreadable, malformed, unknown or missing columns) throw;
 * problems with one row make that row invalid with the reason, and the others stay usable.
 */
public final class BulkFileParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Canonical column names (the RequestField columns) by their normalised aliases. */
    private static final Map<String, RequestField> COLUMNS = new HashMap<>();
    private static final List<RequestField> REQUIRED = List.of(RequestField.SERVER, RequestField.OS, RequestField.HOSTNAME);

    static {
        alias(RequestField.SERVER, "server", "serverid");
        alias(RequestField.OS, "os", "osid", "osname");
        alias(RequestField.HOSTNAME, "hostname", "host");
        alias(RequestField.PARTITION, "partition", "partitionscheme");
        alias(RequestField.SSH_KEY, "sshkeyfile");
        alias(RequestField.SCRIPT, "scriptfile", "postinstallscriptfile");
        alias(RequestField.CALLBACK_URL, "callbackurl", "postinstallcallbackurl");
        alias(RequestField.TASKS, "tasks", "task", "jenkinstasks");
        alias(RequestField.OPTIONAL_TASKS, "optionaltasks", "optionaltask", "optionaljenkinstasks");
        alias(RequestField.LICENCES, "licences", "licenses");
        alias(RequestField.ACCOUNT, "account");
        alias(RequestField.REQUEST_ID, "requestid");
        alias(RequestField.PASSWORD, "passwordfile");
    }

    /**
     * One row: the request, or why the row cannot be submitted.
     *
     * @param line  the CSV line the row starts on, or the JSON array position (1-based)
     * @param field the column at fault, when one is
     */
    public record Row(int line, Long serverId, RequestSpec request, String field, String error) {

        public boolean valid() {
            return error == null;
        }

        static Row invalid(int line, Long serverId, String field, String error) {
            return new Row(line, serverId, null, field, error);
        }
    }

    private BulkFileParser() {}

    public static List<Row> parse(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(ExitCode.NO_INPUT, "FILE", "cannot read the bulk file " + file + ": " + PasswordReader.reason(e),
                    "check the path and its permissions", e);
        }
        Path base = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String start = text.stripLeading();
        boolean json = name.endsWith(".json") || (!name.endsWith(".csv") && (start.startsWith("[") || start.startsWith("{")));
        List<Row> rows = json ? parseJson(text, base) : parseCsv(text, base);
        if (rows.isEmpty()) {
            throw CliException.invalid("FILE", "the bulk file " + file + " lists no servers", "add one server per row");
        }
        return rows;
    }

    static List<Row> parseCsv(String text, Path base) {
        List<CsvReader.Row> records;
        try {
            records = CsvReader.read(text);
        } catch (CsvReader.MalformedCsvException e) {
            throw CliException.invalid("FILE", "the CSV is malformed at line " + e.line() + ": " + e.getMessage(), null);
        }
        if (records.isEmpty()) {
            return List.of();
        }
        List<String> header = records.getFirst().cells();
        List<RequestField> columns = new ArrayList<>();
        for (String name : header) {
            RequestField field = column(name).orElseThrow(() -> unknownColumn(name, "column"));
            if (columns.contains(field)) {
                throw CliException.invalid(field.column(), "the CSV header names column " + field.column() + " twice", null);
            }
            columns.add(field);
        }
        for (RequestField required : REQUIRED) {
            if (!columns.contains(required)) {
                throw CliException.invalid(required.column(), "the CSV header has no column " + required.column(),
                        "the header needs at least " + REQUIRED.stream().map(RequestField::column).collect(Collectors.joining(",")));
            }
        }
        List<Row> rows = new ArrayList<>();
        Map<Long, Integer> seen = new HashMap<>();
        for (CsvReader.Row record : records.subList(1, records.size())) {
            if (record.cells().size() != columns.size()) {
                rows.add(Row.invalid(record.line(), null, null, "has " + record.cells().size() + " values, the header has "
                        + columns.size() + " columns (quote values that contain commas)"));
                continue;
            }
            Map<RequestField, Object> values = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                values.put(columns.get(i), record.cells().get(i));
            }
            rows.add(row(record.line(), values, base, seen));
        }
        return rows;
    }

    static List<Row> parseJson(String text, Path base) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw CliException.invalid("FILE", "the JSON is malformed at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), null);
        }
        JsonNode servers = root != null && root.isObject() && root.has("servers") ? root.get("servers") : root;
        if (servers == null || !servers.isArray()) {
            throw CliException.invalid("FILE", "the JSON must be an array of servers, or an object with a \"servers\" array", null);
        }
        List<Row> rows = new ArrayList<>();
        Map<Long, Integer> seen = new HashMap<>();
        int position = 0;
        for (JsonNode item : servers) {
            position++;
            if (!item.isObject()) {
                rows.add(Row.invalid(position, null, null, "is not an object with the server's fields"));
                continue;
            }
            Map<RequestField, Object> values = new LinkedHashMap<>();
            String unknown = null;
            for (Map.Entry<String, JsonNode> entry : item.properties()) {
                Optional<RequestField> field = column(entry.getKey());
                if (field.isEmpty()) {
                    unknown = entry.getKey();
                    break;
                }
                JsonNode value = entry.getValue();
                if (value.isArray()) {
                    List<String> list = new ArrayList<>();
                    value.forEach(v -> list.add(v.asText()));
                    values.put(field.get(), list);
                } else if (!value.isNull()) {
                    values.put(field.get(), value.asText());
                }
            }
            if (unknown != null) {
                Long server = item.path("server").canConvertToLong() ? item.path("server").asLong() : null;
                rows.add(Row.invalid(position, server, unknown, isPasswordColumn(unknown) ? passwordColumnMessage()
                        : "unknown field '" + unknown + "'; known: " + known()));
                continue;
            }
            rows.add(row(position, values, base, seen));
        }
        return rows;
    }

    private static Row row(int line, Map<RequestField, Object> values, Path base, Map<Long, Integer> seen) {
        String serverText = text(values.get(RequestField.SERVER));
        if (serverText == null) {
            return Row.invalid(line, null, RequestField.SERVER.column(), "server is missing");
        }
        long serverId;
        try {
            serverId = Long.parseLong(serverText);
        } catch (NumberFormatException e) {
            serverId = -1;
        }
        if (serverId <= 0) {
            return Row.invalid(line, null, RequestField.SERVER.column(), "server must be a positive whole number, got '" + serverText + "'");
        }
        Integer earlier = seen.putIfAbsent(serverId, line);
        if (earlier != null) {
            return Row.invalid(line, serverId, RequestField.SERVER.column(), "server " + serverId + " is already on line " + earlier
                    + "; a server takes one reinstall at a time");
        }
        for (RequestField required : List.of(RequestField.OS, RequestField.HOSTNAME)) {
            if (text(values.get(required)) == null) {
                return Row.invalid(line, serverId, required.column(), required.column() + " is missing");
            }
        }
        PartitionScheme partition = null;
        String partitionText = text(values.get(RequestField.PARTITION));
        if (partitionText != null) {
            try {
                partition = PartitionScheme.valueOf(partitionText.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                return Row.invalid(line, serverId, RequestField.PARTITION.column(), "partition '" + partitionText
                        + "' is not one of " + Arrays.toString(PartitionScheme.values()));
            }
        }
        Integer licences = null;
        String licencesText = text(values.get(RequestField.LICENCES));
        if (licencesText != null) {
            try {
                licences = Integer.parseInt(licencesText);
            } catch (NumberFormatException e) {
                return Row.invalid(line, serverId, RequestField.LICENCES.column(), "licences must be a whole number, got '" + licencesText + "'");
            }
        }
        String requestId = text(values.get(RequestField.REQUEST_ID));
        RequestSpec request = new RequestSpec(
                serverId,
                text(values.get(RequestField.OS)),
                text(values.get(RequestField.HOSTNAME)),
                partition,
                path(base, values.get(RequestField.SSH_KEY)),
                path(base, values.get(RequestField.SCRIPT)),
                text(values.get(RequestField.CALLBACK_URL)),
                list(values.get(RequestField.TASKS)),
                list(values.get(RequestField.OPTIONAL_TASKS)),
                licences,
                text(values.get(RequestField.ACCOUNT)),
                requestId == null ? RequestPreparer.newRequestId() : requestId,
                path(base, values.get(RequestField.PASSWORD)));
        return new Row(line, serverId, request, null, null);
    }

    private static Optional<RequestField> column(String name) {
        return Optional.ofNullable(COLUMNS.get(normalise(name)));
    }

    private static CliException unknownColumn(String name, String what) {
        if (isPasswordColumn(name)) {
            return CliException.invalid(name, passwordColumnMessage(), "put each password in a file and name it in password_file");
        }
        return CliException.invalid(name, "unknown " + what + " '" + name + "'", "known columns: " + known());
    }

    private static boolean isPasswordColumn(String name) {
        String n = normalise(name);
        return n.equals("password") || n.equals("rootpassword") || n.equals("pass");
    }

    private static String passwordColumnMessage() {
        return "a password column is not accepted: plaintext passwords do not belong in a bulk file;"
                + " use password_file, or give one password for all rows";
    }

    private static String known() {
        return Stream.of(RequestField.values()).map(RequestField::column).collect(Collectors.joining(", "));
    }

    private static String normalise(String name) {
        return name.strip().toLowerCase(Locale.ROOT).replaceAll("[_\\- ]", "");
    }

    private static void alias(RequestField field, String... names) {
        for (String name : names) {
            COLUMNS.put(name, field);
        }
    }

    private static String text(Object value) {
        if (value instanceof List<?> list) {
            return list.isEmpty() ? null : list.stream().map(String::valueOf).collect(Collectors.joining(";"));
        }
        return value == null || value.toString().isBlank() ? null : value.toString().strip();
    }

    private static List<String> list(Object value) {
        if (value instanceof List<?> items) {
            return items.stream().map(String::valueOf).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        String text = text(value);
        return text == null ? List.of() : Stream.of(text.split("[;|,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }

    private static Path path(Path base, Object value) {
        String text = text(value);
        if (text == null) {
            return null;
        }
        Path path = Path.of(text.startsWith("~/") ? System.getProperty("user.home") + text.substring(1) : text);
        return path.isAbsolute() || base == null ? path : base.resolve(path);
    }
}

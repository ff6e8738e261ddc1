package com.hostkey.reinstall.cli.request;

import java.util.Optional;
import java.util.stream.Stream;

/**
 * The fields of a reinstall request under their three names: submit's option, the bulk file's
 * column, and the schema's field (which the validator's failures name). Messages use the name the
 * user typed.
 */
public enum RequestField {
    SERVER("SERVER", "server", "serverId"),
    OS("--os", "os", "osId"),
    HOSTNAME("--hostname", "hostname", "hostname"),
    PARTITION("--partition", "partition", "partitionScheme"),
    SSH_KEY("--ssh-key-file", "ssh_key_file", "sshKey"),
    SCRIPT("--script-file", "script_file", "postInstallScript"),
    CALLBACK_URL("--callback-url", "callback_url", "postInstallCallbackUrl"),
    TASKS("--task", "tasks", "jenkinsTasks"),
    OPTIONAL_TASKS("--optional-task", "optional_tasks", "optionalJenkinsTasks"),
    LICENCES("--licences", "licences", "licences"),
    ACCOUNT("--account", "account", "account"),
    REQUEST_ID("--request-id", "request_id", "requestId"),
    PASSWORD("root password", "password_file", "rootPassword");

    private final String option;
    private final String column;
    private final String schemaField;

    RequestField(String option, String column, String schemaField) {
        this.option = option;
        this.column = column;
        this.schemaField = schemaField;
    }

    public String option() {
        return option;
    }

    public String column() {
        return column;
    }

    public String name(boolean bulk) {
        return bulk ? column : option;
    }

    public static Optional<RequestField> ofSchemaField(String field) {
        return Stream.of(values()).filter(f -> f.schemaField.equals(field)).findFirst();
    }

    /** The user's name for a schema field, or the schema field itself when it is not a request field. */
    public static String displayName(String schemaField, boolean bulk) {
        if (schemaField == null) {
            return null;
        }
        return ofSchemaField(schemaField).map(f -> f.name(bulk)).orElse(schemaField);
    }
}

package com.hostkey.reinstall.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A small client of the Confluent Schema Registry REST API (also served by Apicurio Registry at
 * {@code /apis/ccompat/v7}): register a schema under a subject, look a schema up by id, find the id
 * of a registered schema. Every answer is cached; ids are immutable, so the caches never expire.
 *
 * <p>One instance is shared by all serdes of a process ({@link #forUrl}), so each schema is
 * registered and fetched once per process.
 */
public class SchemaRegistryClient {

    /** URL scheme of an in-process registry for tests, as Confluent's serdes accept it. */
    public static final String MOCK_SCHEME = "mock://";

    private static final Map<String, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http;
    private final Optional<String> authorization;
    private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

    public SchemaRegistryClient(String baseUrl) {
        this(RegistryAccess.open(baseUrl));
    }

    /** A client that authenticates and trusts as {@code access} says. */
    public SchemaRegistryClient(RegistryAccess access) {
        this.baseUrl = stripTrailingSlash(Objects.requireNonNull(access.url(), "schema.registry.url"));
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        access.sslContext().ifPresent(builder::sslContext);
        this.http = builder.build();
        this.authorization = access.authorization();
    }

    /**
     * The process-wide client for this registry URL; {@code mock://<name>} gives an in-memory
     * registry shared by everything in the process that names it (for TopologyTestDriver tests).
     */
    public static SchemaRegistryClient forUrl(String baseUrl) {
        return forAccess(RegistryAccess.open(baseUrl));
    }

    /** The process-wide client for this registry and these credentials ({@link RegistryAccess}). */
    public static SchemaRegistryClient forAccess(RegistryAccess access) {
        String url = stripTrailingSlash(access.url());
        if (url.startsWith(MOCK_SCHEME)) {
            return SHARED.computeIfAbsent(url, InMemorySchemaRegistry::new);
        }
        return SHARED.computeIfAbsent(access.identity(), identity -> new SchemaRegistryClient(access));
    }

    /** {@code POST /subjects/{subject}/versions}: registers (or finds) the schema, returns its id. */
    public int register(String subject, Schema schema) {
        return idBySubjectAndSchema.computeIfAbsent(subject + '\u0000' + schema, k -> {
            JsonNode answer = send("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema));
            int id = answer.path("id").asInt(-1);
            if (id < 0) {
                throw new SerializationException("Schema registry gave no id for subject " + subject + ": " + answer);
            }
            schemaById.putIfAbsent(id, schema);
            return id;
        });
    }

    /** {@code POST /subjects/{subject}}: the id of an already registered schema. */
    public int lookup(String subject, Schema schema) {
        return idBySubjectAndSchema.computeIfAbsent(subject + '\u0000' + schema, k -> {
            JsonNode answer = send("POST", "/subjects/" + encode(subject), schemaBody(schema));
            int id = answer.path("id").asInt(-1);
            if (id < 0) {
                throw new SerializationException("Schema not registered under subject " + subject
                        + " and auto.register.schemas=false: " + answer);
            }
            return id;
        });
    }

    /** {@code PUT /config/{subject}}: the compatibility level the registry holds new versions of the subject to. */
    public void setCompatibility(String subject, String level) {
        send("PUT", "/config/" + encode(subject), JSON.createObjectNode().put("compatibility", level).toString());
    }

    /** {@code GET /config/{subject}}: the subject's compatibility level as the registry answers it. */
    public String compatibility(String subject) {
        JsonNode answer = send("GET", "/config/" + encode(subject), null);
        return answer.path("compatibilityLevel").asText(answer.path("compatibility").asText(null));
    }

    /** {@code GET /schemas/ids/{id}}: the writer schema behind a wire-format id. */
    public Schema byId(int id) {
        return schemaById.computeIfAbsent(id, k -> {
            JsonNode answer = send("GET", "/schemas/ids/" + id, null);
            String text = answer.path("schema").asText(null);
            if (text == null) {
                throw new UnknownSchemaIdException(id, answer.toString());
            }
            return new Schema.Parser().parse(text);
        });
    }

    private String schemaBody(Schema schema) {
        return JSON.createObjectNode().put("schemaType", "AVRO").put("schema", schema.toString()).toString();
    }

    private JsonNode send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", CONTENT_TYPE);
        authorization.ifPresent(value -> request.header("Authorization", value));
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
            if (response.statusCode() == 404 && path.startsWith("/schemas/ids/")) {
                throw new UnknownSchemaIdException(Integer.parseInt(path.substring("/schemas/ids/".length())), response.body());
            }
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                throw new SerializationException("Schema registry " + method + " " + path + " refused the credentials (HTTP "
                        + response.statusCode() + "): check " + RegistryAccess.BASIC_AUTH_USER_INFO + " or " + RegistryAccess.BEARER_TOKEN
                        + " (SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO, SCHEMA_REGISTRY_BEARER_TOKEN)");
            }
            if (response.statusCode() / 100 != 2) {
                throw new SerializationException("Schema registry " + method + " " + path + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return json;
        } catch (IOException e) {
            throw new SerializationException("Schema registry " + method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SerializationException("Interrupted while calling the schema registry", e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The record names a schema id the registry does not know. */
    public static final class UnknownSchemaIdException extends SerializationException {
        public UnknownSchemaIdException(int id, String detail) {
            super("Unknown schema id " + id + ": " + detail);
        }
    }
}

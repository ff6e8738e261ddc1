package com.hostkey.reinstall.runtime;

import com.hostkey.reinstall.schemas.serde.RegistryAccess;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schema registry's credentials and trust from the environment, as serde settings under
 * Confluent's names ({@link RegistryAccess}); every service reads them alike:
 * <ul>
 *   <li>{@code SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO[_FILE]}: {@code user:password} (basic authentication);</li>
 *   <li>{@code SCHEMA_REGISTRY_BEARER_TOKEN[_FILE]}: a static bearer token (instead of basic);</li>
 *   <li>{@code SCHEMA_REGISTRY_TRUSTSTORE_LOCATION}, {@code SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD[_FILE]},
 *       {@code SCHEMA_REGISTRY_TRUSTSTORE_TYPE} (default PKCS12): what an {@code https} registry is
 *       trusted by.</li>
 * </ul>
 */
public final class RegistrySettings {

    private RegistrySettings() {}

    /** The serde settings beyond {@code schema.registry.url}; empty for an open registry. */
    public static Map<String, String> fromEnv(EnvSettings env) {
        Map<String, String> settings = new LinkedHashMap<>();
        put(settings, RegistryAccess.BASIC_AUTH_USER_INFO, env.optional("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", null));
        if (settings.containsKey(RegistryAccess.BASIC_AUTH_USER_INFO)) {
            settings.put(RegistryAccess.BASIC_AUTH_SOURCE, "USER_INFO");
        }
        put(settings, RegistryAccess.BEARER_TOKEN, env.optional("SCHEMA_REGISTRY_BEARER_TOKEN", null));
        if (settings.containsKey(RegistryAccess.BEARER_TOKEN)) {
            settings.put(RegistryAccess.BEARER_SOURCE, "STATIC_TOKEN");
        }
        put(settings, RegistryAccess.TRUSTSTORE_LOCATION, env.optional("SCHEMA_REGISTRY_TRUSTSTORE_LOCATION", null));
        put(settings, RegistryAccess.TRUSTSTORE_PASSWORD, env.optional("SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD", null));
        put(settings, RegistryAccess.TRUSTSTORE_TYPE, env.optional("SCHEMA_REGISTRY_TRUSTSTORE_TYPE", null));
        // Refuse a half-set or contradictory access at start-up, not at the first record.
        RegistryAccess.fromConfig("https://registry.invalid", settings);
        return Map.copyOf(settings);
    }

    private static void put(Map<String, String> settings, String key, String value) {
        if (value != null) {
            settings.put(key, value);
        }
    }
}

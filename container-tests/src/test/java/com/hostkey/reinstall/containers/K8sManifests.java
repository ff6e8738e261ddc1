package com.hostkey.reinstall.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Kubernetes manifests of deploy/k8s give a service's container, read from the files
 * themselves so the container tier runs what they say: the image, the environment (the ConfigMaps
 * of {@code envFrom} in order, then the container's {@code env}, with {@code $(NAME)} references and
 * the pod's name and namespace from {@code fieldRef}), the volume mounts, the operations port and
 * the memory limit.
 */
final class K8sManifests {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private final Path dir;
    private final List<JsonNode> documents = new ArrayList<>();

    K8sManifests(Path dir) {
        this.dir = dir;
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc != null && doc.isObject()) {
                            documents.add(doc);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifests in " + dir, e);
        }
    }

    /** The directory the manifests were read from. */
    Path dir() {
        return dir;
    }

    /**
     * One container of a workload (Deployment or StatefulSet) as its pod would run it.
     *
     * @param httpPort      the containerPort of its port named {@code http}, which the probes call
     * @param livenessPath  the path of its livenessProbe's httpGet (the startupProbe's too, checked equal)
     * @param readinessPath the path of its readinessProbe's httpGet
     */
    record PodContainer(String image, Map<String, String> environment, Map<String, String> mountPaths,
                        Map<String, String> secretOfVolume, int httpPort, long memoryLimitBytes, String livenessPath,
                        String readinessPath, int terminationGraceSeconds) {}

    /**
     * The container named {@code workload} of the workload of that name, in a pod named {@code podName}
     * of namespace {@code namespace}.
     */
    PodContainer container(String workload, String podName, String namespace) {
        JsonNode pod = documents.stream()
                .filter(d -> d.path("kind").asText().matches("Deployment|StatefulSet"))
                .filter(d -> d.path("metadata").path("name").asText().equals(workload))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no Deployment or StatefulSet " + workload + " in " + dir))
                .path("spec").path("template").path("spec");
        JsonNode container = null;
        for (JsonNode c : pod.path("containers")) {
            if (c.path("name").asText().equals(workload)) {
                container = c;
            }
        }
        if (container == null) {
            throw new IllegalArgumentException("workload " + workload + " has no container of that name");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            env.putAll(configMap(from.path("configMapRef").path("name").asText()));
        }
        for (JsonNode entry : container.path("env")) {
            String name = entry.path("name").asText();
            if (entry.has("value")) {
                env.put(name, substitute(entry.path("value").asText(), env));
            } else {
                String field = entry.path("valueFrom").path("fieldRef").path("fieldPath").asText();
                env.put(name, switch (field) {
                    case "metadata.name" -> podName;
                    case "metadata.namespace" -> namespace;
                    default -> throw new IllegalArgumentException(workload + " sets " + name + " from " + entry + ": not known to the tier");
                });
            }
        }
        Map<String, String> mounts = new LinkedHashMap<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            mounts.put(mount.path("name").asText(), mount.path("mountPath").asText());
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.has("secret")) {
                secrets.put(volume.path("name").asText(), volume.path("secret").path("secretName").asText());
            }
        }
        int port = 0;
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals("http")) {
                port = p.path("containerPort").asInt();
            }
        }
        String liveness = probePath(container, "livenessProbe", workload);
        String startup = probePath(container, "startupProbe", workload);
        if (!startup.equals(liveness)) {
            throw new IllegalArgumentException(workload + ": the startup probe (" + startup + ") and the liveness probe ("
                    + liveness + ") differ; the tier knows one liveness endpoint");
        }
        return new PodContainer(container.path("image").asText(), env, mounts, secrets, port,
                bytes(container.path("resources").path("limits").path("memory").asText("0")),
                liveness, probePath(container, "readinessProbe", workload),
                pod.path("terminationGracePeriodSeconds").asInt(30));
    }

    /** The path a probe GETs, on the container's {@code http} port (the only kind of probe the tier knows). */
    private static String probePath(JsonNode container, String probe, String workload) {
        JsonNode get = container.path(probe).path("httpGet");
        if (!get.path("port").asText().equals("http") || get.path("path").asText().isEmpty()) {
            throw new IllegalArgumentException(workload + "'s " + probe + " is not an httpGet on the http port: " + container.path(probe));
        }
        return get.path("path").asText();
    }

    /** The data of a ConfigMap. */
    Map<String, String> configMap(String name) {
        JsonNode map = documents.stream()
                .filter(d -> d.path("kind").asText().equals("ConfigMap") && d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no ConfigMap " + name + " in " + dir));
        Map<String, String> data = new LinkedHashMap<>();
        map.path("data").properties().forEach(e -> data.put(e.getKey(), e.getValue().asText()));
        return data;
    }

    /** Kubernetes' {@code $(NAME)}: the value of a variable defined before, else left as it is. */
    private static String substitute(String value, Map<String, String> env) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
        }
        return m.appendTail(out).toString();
    }

    /** A Kubernetes quantity of memory ({@code 512Mi}, {@code 1Gi}) in bytes; 0 for none. */
    static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("memory quantity not understood: " + quantity);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ki" -> n << 10;
            case "mi" -> n << 20;
            case "gi" -> n << 30;
            default -> n;
        };
    }
}

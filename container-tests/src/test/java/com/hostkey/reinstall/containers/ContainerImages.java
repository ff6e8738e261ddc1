package com.hostkey.reinstall.containers;

import com.github.dockerjava.api.exception.NotFoundException;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/**
 * The images deploy/containers/build-images.sh builds, named from the build's versions (failsafe's
 * system properties): the deployables {@code <prefix><module>:<project version>}, Kafka
 * {@code <prefix>kafka:<kafka.version>}, the registry {@code <prefix>apicurio-registry:<apicurio.version>}.
 */
record ContainerImages(String prefix, String projectVersion, String kafkaVersion, String apicurioVersion, Path k8sDir, Path logDir) {

    static ContainerImages fromSystemProperties() {
        return new ContainerImages(property("containers.imagePrefix"), property("containers.projectVersion"),
                property("containers.kafkaVersion"), property("containers.apicurioVersion"),
                Path.of(property("containers.k8sDir")).normalize(), Path.of(property("containers.logDir")));
    }

    DockerImageName service(String module) {
        return existing(prefix + module + ":" + projectVersion);
    }

    DockerImageName kafka() {
        return existing(prefix + "kafka:" + kafkaVersion);
    }

    DockerImageName registry() {
        return existing(prefix + "apicurio-registry:" + apicurioVersion);
    }

    /**
     * Fails unless {@code image} (what a manifest names) is one this build made: the manifests must
     * run exactly the images the tier proves.
     */
    void requireBuilt(String image) {
        String module = image.substring(image.lastIndexOf('/') + 1, image.lastIndexOf(':'));
        String expected = prefix + module + ":" + projectVersion;
        if (!image.equals(expected)) {
            throw new IllegalStateException("deploy/k8s runs " + image + ", but the build makes " + expected
                    + ": the manifests must name the images build-images.sh builds");
        }
        existing(image);
    }

    private static DockerImageName existing(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            throw new IllegalStateException("no image " + image + ": build the images first (deploy/containers/build-images.sh)", e);
        }
        return DockerImageName.parse(image);
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set: run the tier through Maven (container-tests)");
        }
        return value;
    }
}

package com.hostkey.reinstall.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering, stated as tests over the production classes of every module (tests are not
 * imported), so it stays true without anyone remembering it. See docs/architecture.md.
 *
 * <pre>
 *  schemas (contracts) ◀── service-runtime ◀──┐
 *        ▲                                    ├── command-handler, stage-poller, state-projector, reinstall-cli (deployables: leaves)
 *        └── hostkey-client ◀── request-validation ◀──┘
 * </pre>
 */
class LayeringTest {

    private static final String CONTRACTS = "com.hostkey.reinstall.schemas..";
    private static final List<String> DEPLOYABLES = List.of(
            "com.hostkey.reinstall.handler..", "com.hostkey.reinstall.poller..", "com.hostkey.reinstall.projector..",
            "com.hostkey.reinstall.cli..", "com.hostkey.invapi.simulator..");
    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("com.hostkey");
    }

    @Test
    void contractsHoldNoRuntime() {
        ArchRule rule = noClasses().that().resideInAPackage(CONTRACTS)
                .should().dependOnClassesThat().resideInAnyPackage(
                        "com.hostkey.reinstall.runtime..", "com.sun.net.httpserver..", "org.apache.kafka.clients.admin..",
                        "org.apache.kafka.clients.consumer..", "org.apache.kafka.clients.producer..", "org.apache.kafka.streams..",
                        "io.micrometer..", "ch.qos.logback..", "org.slf4j..")
                .because("upstream teams compile against the contracts and must not pull a service's runtime");
        rule.check(production);
    }

    @Test
    void noModuleDependsOnADeployable() {
        for (String deployable : DEPLOYABLES) {
            noClasses().that().resideOutsideOfPackage(deployable)
                    .should().dependOnClassesThat().resideInAPackage(deployable)
                    .because("deployables are leaves: shared logic lives in a library module")
                    .check(production);
        }
    }

    @Test
    void theSagaImportsNoHttp() {
        noClasses().that().resideInAPackage("com.hostkey.reinstall.projector.saga..")
                .should().dependOnClassesThat().resideInAnyPackage("com.hostkey.reinstall.projector.query..",
                        "com.hostkey.reinstall.projector.http..", "com.hostkey.reinstall.projector.dashboard..",
                        "com.sun.net.httpserver..", "java.net.http..")
                .orShould().dependOnClassesThat().resideInAPackage("com.hostkey.reinstall.projector")
                .because("the saga decides; serving state over HTTP and wiring the process are other rooms")
                .check(production);
    }

    @Test
    void theQuerySideLayersHttpBelowQueriesBelowTheDashboard() {
        noClasses().that().resideInAPackage("com.hostkey.reinstall.projector.http..")
                .should().dependOnClassesThat().resideInAnyPackage("com.hostkey.reinstall.projector.query..",
                        "com.hostkey.reinstall.projector.dashboard..", "com.hostkey.reinstall.projector.saga..",
                        "org.apache.kafka.streams..")
                .because("the HTTP room knows requests, tokens and replies, not which store answers what")
                .check(production);
        noClasses().that().resideInAPackage("com.hostkey.reinstall.projector.query..")
                .should().dependOnClassesThat().resideInAPackage("com.hostkey.reinstall.projector.dashboard..")
                .because("the interactive queries serve the state API and the dashboard alike")
                .check(production);
    }

    @Test
    void noCaseConversionWithoutALocale() {
        noClasses().should().callMethod(String.class, "toLowerCase")
                .orShould().callMethod(String.class, "toUpperCase")
                .because("the default locale changes results (Turkish dotless i): pass Locale.ROOT")
                .check(production);
    }
}

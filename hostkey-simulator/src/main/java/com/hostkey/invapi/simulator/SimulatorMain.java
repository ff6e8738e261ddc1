package com.hostkey.invapi.simulator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator standalone. Prints exactly one line to stdout when ready,
 * {@code hostkey-simulator listening on http://127.0.0.1:PORT}; logs go to stderr.
 */
public final class SimulatorMain {

    static final String USAGE = """
            usage: hostkey-simulator [options]
              --port N                     TCP port, 0 = any free port (default 8090)
              --bind ADDRESS               address to bind (default 127.0.0.1; 0.0.0.0 in a container)
              --time-scale X               simulated seconds per real second (default 1)
              --fleet N                    generated fleet of N servers, ids 1001.. (default 20)
              --fleet-file PATH            fleet from a JSON array of servers
              --account NAME:APIKEY[:PIN]  repeatable (default default:sim-api-key:1234)
              --token-ttl SECONDS          default token lifetime (default 10800)
              --action-delay SECONDS       async action duration (default 5)
              --stage-offsets S1,S2,S3,S4,S5  stage offsets from the reboot (default 60,300,480,600,720)
              --flat-login                 login answers the token fields at top level
              --reinstall-key-field NAME   field of eq/reinstall's key (default reinstall_key)
              --stage5-as-stage            stage 5 answers once as Stage before OK
              --synchronous-actions A,B    these actions answer OK without a callback key, done at once
                                           (any of create_pxe, boot_dev, clear_pxe, reboot, on, off, run_task;
                                           run_task is the Jenkins launch, whatever its name)
              --key-in-not-found-message   "AsyncKey not found: <key>" instead of the bare message
              --scope-as-object            async OK answers carry scope as an object
              --context-id-as-number       callback answers carry context.id as a number
              --error-wording PROFILE      standard | alternative: how undocumented refusals are worded
                                           (server not found, hostname mismatch, wrong PIN, account locked)
              --show-without F,G           eq/show leaves these fields out of server_data
              --show-renamed F=N,G=M       eq/show answers field F as N (type, ram_gb, disks, cpu_cores, size_gb)
              --os-tag-renamed T=N,...     os/list answers tag T as N (min_ram, min_hdd, price_per_core_EUR)
                                           (any of status, power, hostname, location, type, ram_gb, disks,
                                           cpu_cores)
              --stage-number-in WHERE      scope_text | context | order_only (default scope_text)
              --stage-delivery MODE        latest | oldest_unread (default latest)
              --disk-scheme-field NAME     create_pxe field of the partitioning scheme (default disk_scheme)
              --licences-field NAME        create_pxe field of a licensed OS's per-core licences (default licenses)
              --jenkins-run-action [MODULE/]ACTION  the Jenkins launch call (default run_task, in jenkins.php)
              --jenkins-server-field NAME  its field of the server id (default id)
              --jenkins-task-field NAME    its field of the task id (default task_id)
              --no-password-policy         accept any root_pass
              --seed N                     fault draw seed (default 42)
            admin on the same port: GET /_sim/health|audit|servers[/ID]|report|faults,
              POST /_sim/faults {"module":"eq","action":"reboot","kind":"server_error","rate":1.0,"params":{...}}
              (or "global":true), DELETE /_sim/faults, POST /_sim/accounts/NAME/unlock,
              POST /_sim/servers/ID/stopped [{"reason":"..."}] (the reinstall on ID was told to stop:
              /_sim/report's installsAfterStop flags any install move on ID until its next eq/reinstall)
            """;

    private SimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "hostkey-simulator-logback.xml");
        }
        SimulatorConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("hostkey-simulator: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        HostkeySimulator simulator = HostkeySimulator.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.out.println("hostkey-simulator listening on " + simulator.baseUrl());
        System.out.flush();
        stopped.await();
    }

    /** The config the command line asks for; {@link IllegalArgumentException} names a bad option. */
    static SimulatorConfig parse(String[] args) {
        SimulatorConfig.Builder builder = SimulatorConfig.builder().port(8090);
        List<String[]> accounts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--help", "-h" -> throw new IllegalArgumentException("help requested");
                case "--flat-login" -> builder.flatLogin(true);
                case "--stage5-as-stage" -> builder.stage5AsStage(true);
                case "--key-in-not-found-message" -> builder.keyInNotFoundMessage(true);
                case "--scope-as-object" -> builder.scopeAsObject(true);
                case "--context-id-as-number" -> builder.contextIdAsNumber(true);
                case "--no-password-policy" -> builder.validateRootPassword(false);
                default -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("option " + arg + " needs a value");
                        }
                        value = args[++i];
                    }
                    apply(builder, accounts, arg, value);
                }
            }
        }
        for (String[] account : accounts) {
            builder.account(account[0], account[1], account.length > 2 ? account[2] : null);
        }
        return builder.build();
    }

    private static void apply(SimulatorConfig.Builder builder, List<String[]> accounts, String option, String value) {
        try {
            switch (option) {
                case "--port" -> builder.port(Integer.parseInt(value));
                case "--bind" -> builder.bindAddress(value);
                case "--time-scale" -> builder.timeScale(Double.parseDouble(value));
                case "--fleet" -> builder.generatedFleet(Integer.parseInt(value));
                case "--fleet-file" -> builder.fleetFile(Path.of(value));
                case "--account" -> {
                    String[] parts = value.split(":", 3);
                    if (parts.length < 2 || parts[0].isBlank() || parts[1].isBlank()) {
                        throw new IllegalArgumentException("--account needs NAME:APIKEY[:PIN]");
                    }
                    accounts.add(parts);
                }
                case "--token-ttl" -> builder.tokenTtl(Duration.ofSeconds(Long.parseLong(value)));
                case "--action-delay" -> builder.actionDelay(Duration.ofMillis((long) (Double.parseDouble(value) * 1000)));
                case "--stage-offsets" -> {
                    List<Duration> offsets = new ArrayList<>();
                    for (String part : value.split(",")) {
                        offsets.add(Duration.ofSeconds(Long.parseLong(part.trim())));
                    }
                    builder.stageOffsets(offsets);
                }
                case "--reinstall-key-field" -> builder.reinstallKeyField(value);
                case "--stage-number-in" -> builder.stageNumberIn(StageNumberIn.valueOf(value.toUpperCase(Locale.ROOT)));
                case "--stage-delivery" -> builder.stageDelivery(StageDelivery.valueOf(value.toUpperCase(Locale.ROOT)));
                case "--error-wording" -> builder.errorWording(ErrorWording.valueOf(value.toUpperCase(Locale.ROOT)));
                case "--show-without" -> {
                    for (String field : value.split(",")) {
                        builder.showWithout(field.strip());
                    }
                }
                case "--show-renamed" -> {
                    for (String pair : value.split(",")) {
                        String[] parts = pair.split("=", 2);
                        if (parts.length != 2) {
                            throw new IllegalArgumentException("--show-renamed needs FIELD=NAME pairs, got " + pair);
                        }
                        builder.showRenamed(parts[0].strip(), parts[1]);
                    }
                }
                case "--os-tag-renamed" -> {
                    for (String pair : value.split(",")) {
                        String[] parts = pair.split("=", 2);
                        if (parts.length != 2) {
                            throw new IllegalArgumentException("--os-tag-renamed needs TAG=NAME pairs, got " + pair);
                        }
                        builder.osTagRenamed(parts[0].strip(), parts[1]);
                    }
                }
                case "--disk-scheme-field" -> builder.diskSchemeField(value);
                case "--licences-field" -> builder.licencesField(value);
                case "--jenkins-run-action" -> builder.jenkinsRunAction(value);
                case "--jenkins-server-field" -> builder.jenkinsServerField(value);
                case "--jenkins-task-field" -> builder.jenkinsTaskField(value);
                case "--synchronous-actions" -> {
                    for (String action : value.split(",")) {
                        builder.synchronousAction(action.strip());
                    }
                }
                case "--seed" -> builder.faultSeed(Long.parseLong(value));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + option + " needs a number, got " + value, e);
        }
    }
}

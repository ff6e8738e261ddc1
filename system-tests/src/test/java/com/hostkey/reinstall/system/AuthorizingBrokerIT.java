package com.hostkey.reinstall.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.hostkey.invapi.client.Credentials;
import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.deploy.KafkaUserAcls;
import com.hostkey.reinstall.handler.CommandHandler;
import com.hostkey.reinstall.handler.HandlerConfig;
import com.hostkey.reinstall.handler.StepExecutor;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.poller.PollerConfig;
import com.hostkey.reinstall.poller.StagePoller;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.ProjectorConfig;
import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.projector.StateProjector;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.ApicurioRegistry;
import com.hostkey.reinstall.testkit.AuthorizingKafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline against a broker that authenticates (SASL PLAIN) and authorizes
 * ({@code StandardAuthorizer}, nothing allowed without an ACL) with exactly the ACLs of
 * {@code deploy/k8s/kafka-users.yaml}: each service logs in as its own principal with only its own
 * ACLs and the deployment ids those ACLs assume (application id, group and transactional ids of
 * {@code deploy/k8s}). A reinstall submitted by {@code upstream} completes, {@code billing} reads its
 * one completion, no service is refused anything on the way, and each principal is refused what it
 * must not do: forging steps, events, completions or poll targets, reading the internal topics.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthorizingBrokerIT {

    /** The single source of the ACLs: the Strimzi KafkaUsers of the production manifests. */
    static final Path KAFKA_USERS = Path.of("..", "deploy", "k8s", "kafka-users.yaml");

    static final String PROJECTOR = "state-projector";
    static final String HANDLER = "command-handler";
    static final String POLLER = "stage-poller";
    static final String UPSTREAM = "upstream";
    static final String BILLING = "billing";
    static final String OPERATORS = "operators";
    static final List<String> SERVICES = List.of(PROJECTOR, HANDLER, POLLER);

    // The ids the manifests' ACLs are written for (deploy/k8s/settings.yaml and command-handler.yaml).
    static final String APPLICATION_ID = "reinstall-state-projector";
    static final String HANDLER_GROUP_ID = "reinstall-command-handler";
    static final String HANDLER_INSTANCE_ID = "command-handler-0";
    static final String HANDLER_TRANSACTIONAL_ID = HANDLER_GROUP_ID + "-" + HANDLER_INSTANCE_ID;
    static final String POLLER_GROUP_ID = "reinstall-stage-poller";

    private static final long SERVER = 1001;
    private static final String API_KEY = "authz-it-" + UUID.randomUUID();
    private static final String PIN = "2468";
    private static final String SEALING_KEY_ID = "authz-it-key";
    private static final String OPERATOR_TOKEN = QueryApiSettings.generateToken();

    private static final List<AutoCloseable> closeables = new ArrayList<>();
    private static final AuditLog audit = new AuditLog();
    private static AuthorizingKafkaCluster kafka;
    private static Map<String, List<AclBinding>> acls;
    private static ReinstallTopics topics;
    private static SecretSealer sealer;
    private static Path workDir;
    private static long startedAt;
    private static StateProjector projector;

    @BeforeAll
    static void start() throws Exception {
        startedAt = System.nanoTime();
        acls = KafkaUserAcls.read(KAFKA_USERS);
        assertThat(acls).as("the KafkaUsers of %s", KAFKA_USERS)
                .containsKeys(PROJECTOR, HANDLER, POLLER, UPSTREAM, BILLING, OPERATORS);
        audit.attach();

        kafka = AuthorizingKafkaCluster.start(acls.keySet());
        closeables.add(kafka);
        try (Admin admin = kafka.superUserAdmin()) {
            // Production creates the topics beforehand (kafka-topics.yaml), as an administrator.
            TopicProvisioner.ensureTopics(admin, 3, (short) 1);
            KafkaUserAcls.createAll(admin, acls);
            int expected = acls.values().stream().mapToInt(List::size).sum();
            // The broker answers DescribeAcls from its own authorizer: once it lists them all, it enforces them all.
            await("the broker's authorizer has every ACL").atMost(Duration.ofSeconds(20))
                    .until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get().size() == expected);
        }
        ApicurioRegistry registry = ApicurioRegistry.start();
        closeables.add(registry);
        HostkeySimulator simulator = HostkeySimulator.start(SimulatorConfig.builder()
                .port(0).timeScale(200.0).generatedFleet(2).account("default", API_KEY, PIN).build());
        closeables.add(simulator);

        Map<String, Object> serdeConfig = Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registry.url());
        topics = ReinstallTopics.create(serdeConfig);
        workDir = Files.createTempDirectory("reinstall-authz-it-");
        KeyPair pair = SealingKeys.generate();
        SealingKeys.writePair(pair, workDir, SEALING_KEY_ID);
        sealer = new SecretSealer(SEALING_KEY_ID, pair.getPublic());
        Map<String, byte[]> stepKeys = Map.of("authz-step-key", StepAuthenticator.generateKey());

        Properties projectorMembership = new Properties();
        projectorMembership.put("group.instance.id", "state-projector-0");
        projector = StateProjector.start(new ProjectorConfig(kafka.bootstrapServers(), registry.url(),
                APPLICATION_ID, workDir.resolve("state").toString(), "127.0.0.1", 0, 1,
                SagaSettings.defaults(), AdmissionSettings.defaults(), Duration.ofMillis(200),
                StepAuthenticator.of(stepKeys, "authz-step-key"))
                // Write tokens too, so the projector's operator-actions producer (dashboard cancel and release) runs as well.
                .withQueryApi(QueryApiSettings.ofTokens(List.of(QueryApiSettings.generateToken()))
                        .withWriteTokens(Map.of("authz-operator", OPERATOR_TOKEN)))
                .withClientSecurity(kafka.clientSecurity(PROJECTOR))
                .withMembership(projectorMembership));
        closeables.add(projector);

        HostkeyClient handlerClient = hostkeyClient(simulator);
        closeables.add(handlerClient);
        Properties handlerMembership = new Properties();
        handlerMembership.put("group.instance.id", HANDLER_INSTANCE_ID);
        HandlerConfig handlerConfig = new HandlerConfig(kafka.bootstrapServers(), registry.url(), HANDLER_GROUP_ID,
                HANDLER_TRANSACTIONAL_ID, Map.of(SEALING_KEY_ID, workDir.resolve(SEALING_KEY_ID + ".key.pem")),
                kafka.clientSecurity(HANDLER), handlerMembership, HandlerConfig.Flow.defaults(),
                StepAuthenticator.verifier(stepKeys));
        closeables.add(CommandHandler.start(handlerConfig, new StepExecutor(handlerClient, handlerConfig.secretOpener(),
                new ReinstallValidator(ValidationLimits.defaults()), Clock.systemUTC())));

        HostkeyClient pollerClient = hostkeyClient(simulator);
        closeables.add(pollerClient);
        closeables.add(StagePoller.start(new PollerConfig(kafka.bootstrapServers(), registry.url(), POLLER_GROUP_ID,
                Duration.ofMillis(100), 200, kafka.clientSecurity(POLLER), new Properties()), pollerClient, Clock.systemUTC()));
        System.out.printf("AuthorizingBrokerIT: SASL broker, %d ACLs of %d users from %s, registry, simulator and the three services up in %.1f s%n",
                acls.values().stream().mapToInt(List::size).sum(), acls.size(), KAFKA_USERS, seconds(startedAt));
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        audit.detach();
        System.out.printf("AuthorizingBrokerIT: %.1f s in all; the broker refused %d requests (audit log):%n",
                seconds(startedAt), audit.denials().size());
        audit.denials().forEach(denial -> System.out.println("  " + AuditLog.brief(denial)));
    }

    @Test
    @Order(1)
    void reinstallSubmittedByUpstreamCompletesAndBillingReadsExactlyOneCompletionWithNoServiceRefusedAnything() throws Exception {
        long began = System.nanoTime();
        String requestId = "authz-" + UUID.randomUUID();
        try (KafkaProducer<String, ReinstallRequest> upstream = new KafkaProducer<>(producerConfig(UPSTREAM),
                new StringSerializer(), topics.requests.valueSerde().serializer())) {
            upstream.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(SERVER), reinstall(requestId))).get(30, TimeUnit.SECONDS);
        }

        List<ReinstallCompletion> completions = new ArrayList<>();
        Properties billingConfig = consumerConfig(BILLING);
        billingConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "billing-authz-it-" + UUID.randomUUID());
        billingConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        billingConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        billingConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, ReinstallCompletion> billing = new KafkaConsumer<>(billingConfig, new StringDeserializer(),
                topics.completions.valueSerde().deserializer())) {
            billing.subscribe(List.of(ReinstallTopics.COMPLETIONS));
            Instant deadline = Instant.now().plusSeconds(90);
            Instant quietUntil = null;
            // Until the completion arrives, then 3 s more: a second completion would show up in them.
            while (quietUntil == null || Instant.now().isBefore(quietUntil)) {
                assertThat(Instant.now()).as("the completion of server %d within 90 s", SERVER).isBefore(deadline);
                for (ConsumerRecord<String, ReinstallCompletion> record : billing.poll(Duration.ofMillis(200))) {
                    if (record.key().equals(String.valueOf(SERVER))) {
                        completions.add(record.value());
                    }
                }
                if (quietUntil == null && !completions.isEmpty()) {
                    quietUntil = Instant.now().plusSeconds(3);
                }
            }
            // Billing's own group may keep its place.
            billing.commitSync(Duration.ofSeconds(10));
        }
        System.out.printf("AuthorizingBrokerIT: reinstall of %d completed and read by billing in %.1f s%n", SERVER, seconds(began));

        assertThat(completions).hasSize(1);
        assertThat(completions.get(0).getRequestId()).isEqualTo(requestId);
        assertThat(completions.get(0).getOutcome()).isInstanceOf(ReinstallCompleted.class);
        // Every service did all of that with its own ACLs only: the broker refused none of them anything.
        assertThat(audit.denialsOf(SERVICES)).as("requests of the services the broker refused").isEmpty();
    }

    @Test
    @Order(2)
    void projectorPublishesAnOperatorsCancelWithItsOwnRights() throws Exception {
        // The dashboard's cancel: the projector's own idempotent producer writes it to reinstall-requests.
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(projector.queryScheme() + "://127.0.0.1:" + projector.queryPort() + "/reinstalls/1002/cancel"))
                .header("Authorization", "Bearer " + OPERATOR_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"authz-it\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("the cancel's answer: %s", response.body()).isEqualTo(202);

        Properties reader = kafka.clientConfig(AuthorizingKafkaCluster.SUPER_USER);
        reader.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ReinstallRequest> requests = new ArrayList<>();
        try (KafkaConsumer<String, ReinstallRequest> consumer = new KafkaConsumer<>(reader, new StringDeserializer(),
                topics.requests.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(ReinstallTopics.REQUESTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> requests.add(r.value()));
            }
        }
        assertThat(requests).anySatisfy(r -> {
            assertThat(r.getServerId()).isEqualTo(1002);
            assertThat(r.getIssuedBy()).isEqualTo("dashboard:authz-operator");
        });
        assertThat(audit.denialsOf(List.of(PROJECTOR))).as("requests of the projector the broker refused").isEmpty();
    }

    @Test
    @Order(3)
    void upstreamMayOnlyWriteRequests() throws Exception {
        for (String topic : List.of(ReinstallTopics.STEPS, ReinstallTopics.EVENTS, ReinstallTopics.COMPLETIONS, ReinstallTopics.POLL_TARGETS)) {
            assertTopicDenied(sendFailure(producerConfig(UPSTREAM), topic), topic);
        }
        assertTopicDenied(readFailure(consumerConfig(UPSTREAM), ReinstallTopics.STEPS), ReinstallTopics.STEPS);
        assertTopicDenied(readFailure(consumerConfig(UPSTREAM), ReinstallTopics.REQUESTS), ReinstallTopics.REQUESTS);

        // Nor may it open a transaction, under the handler's transactional ids or any other.
        Properties transactional = producerConfig(UPSTREAM);
        transactional.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, HANDLER_GROUP_ID + "-forged");
        transactional.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(transactional, new ByteArraySerializer(), new ByteArraySerializer())) {
            Throwable failure = failureOf(producer::initTransactions);
            assertThat(failure).isInstanceOf(TransactionalIdAuthorizationException.class);
        }
    }

    @Test
    @Order(4)
    void billingMayOnlyReadCompletions() throws Exception {
        // Without IdempotentWrite nor any topic Write, billing's producer is refused whatever it tries;
        // idempotence off isolates the topic ACL: Write on reinstall-requests is refused.
        Properties plainProducer = producerConfig(BILLING);
        plainProducer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        assertTopicDenied(sendFailure(plainProducer, ReinstallTopics.REQUESTS), ReinstallTopics.REQUESTS);

        for (String topic : List.of(ReinstallTopics.EVENTS, ReinstallTopics.REQUESTS, ReinstallTopics.STEPS, ReinstallTopics.DEAD_LETTERS)) {
            Properties consumer = consumerConfig(BILLING);
            // Its own group (billing*), which it may use: the topic is what is refused.
            consumer.put(ConsumerConfig.GROUP_ID_CONFIG, "billing-authz-it-" + UUID.randomUUID());
            assertTopicDenied(readFailure(consumer, topic), topic);
        }
    }

    @Test
    @Order(5)
    void commandHandlerMayNotWriteSteps() throws Exception {
        // As the handler itself would: a transaction under one of its own transactional ids, which it
        // may open; the steps topic is what is refused.
        Properties transactional = producerConfig(HANDLER);
        transactional.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, HANDLER_GROUP_ID + "-forger");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(transactional, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            assertTopicDenied(failureOf(() -> producer.send(new ProducerRecord<>(ReinstallTopics.STEPS, String.valueOf(SERVER),
                    "forged step".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS)), ReinstallTopics.STEPS);
        }
        // And without a transaction, nor may it write requests or completions.
        for (String topic : List.of(ReinstallTopics.STEPS, ReinstallTopics.REQUESTS, ReinstallTopics.COMPLETIONS)) {
            assertTopicDenied(sendFailure(producerConfig(HANDLER), topic), topic);
        }
    }

    @Test
    @Order(6)
    void operatorsMayOnlyWriteRequests() {
        // The CLI writes requests; its watch and history read the projector's query API. No topic may
        // be read: not the dead letters (the original bytes upstream sent), not the requests, not the
        // events; and no step or event may be forged.
        assertTopicDenied(readFailure(consumerConfig(OPERATORS), ReinstallTopics.DEAD_LETTERS), ReinstallTopics.DEAD_LETTERS);
        assertTopicDenied(readFailure(consumerConfig(OPERATORS), ReinstallTopics.EVENTS), ReinstallTopics.EVENTS);
        assertTopicDenied(readFailure(consumerConfig(OPERATORS), ReinstallTopics.COMPLETIONS), ReinstallTopics.COMPLETIONS);
        assertTopicDenied(readFailure(consumerConfig(OPERATORS), ReinstallTopics.REQUESTS), ReinstallTopics.REQUESTS);
        assertTopicDenied(sendFailure(producerConfig(OPERATORS), ReinstallTopics.STEPS), ReinstallTopics.STEPS);
        assertTopicDenied(sendFailure(producerConfig(OPERATORS), ReinstallTopics.EVENTS), ReinstallTopics.EVENTS);
    }

    @Test
    @Order(7)
    void onlyKnownUsersWithTheirPasswordsGetIn() throws Exception {
        Properties wrongPassword = AuthorizingKafkaCluster.clientSecurity(UPSTREAM, "not-" + kafka.password(UPSTREAM));
        wrongPassword.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        wrongPassword.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        wrongPassword.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (Admin admin = Admin.create(wrongPassword)) {
            assertThat(failureOf(() -> admin.listTopics().names().get())).isInstanceOf(SaslAuthenticationException.class);
        }
        // No listener speaks PLAINTEXT: a client without SASL gets no answer at all.
        Properties plaintext = new Properties();
        plaintext.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        plaintext.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        plaintext.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(plaintext)) {
            assertThat(failureOf(() -> admin.listTopics().names().get()))
                    .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
    }

    @Test
    @Order(8)
    void shouldLetTheProjectorStartWithItsOwnCredentialsWhenTheTopicsWereProvisionedForIt() {
        // What StateProjectorMain does before starting: ensure the topics, as state-projector, with all of them
        // created beforehand (as kafka-topics.yaml does in production).
        try (Admin admin = kafka.admin(PROJECTOR)) {
            org.assertj.core.api.Assertions.assertThatCode(() -> TopicProvisioner.ensureTopics(admin, 3, (short) 1))
                    .as("no topic taken for missing because the projector may not describe it").doesNotThrowAnyException();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static ReinstallRequest reinstall(String requestId) {
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(SERVER)
                .setIssuedAt(Instant.now())
                .setIssuedBy("authz-it-upstream")
                .setPayload(ReinstallServer.newBuilder()
                        .setRequestId(requestId)
                        .setOsId(101)
                        .setHostname("srv" + SERVER + ".reinstalled.example.net")
                        .setRootPassword(sealer.seal("Authz7%Root" + UUID.randomUUID().toString().substring(0, 6)))
                        .setPostInstallScript(sealer.seal("#!/bin/sh\necho authz"))
                        .setSshKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl it@example")
                        .setPartitionScheme(PartitionScheme.LVM_RAID1)
                        .setJenkinsTasks(List.of("monitoring-agent"))
                        .build())
                .build();
    }

    private static HostkeyClient hostkeyClient(HostkeySimulator simulator) {
        return new HostkeyClient(HostkeyClientConfig.builder(simulator.baseUrl())
                .account("default", new Credentials(API_KEY, PIN))
                .requestsPerSecond(500)
                .build());
    }

    /** A default (idempotent) producer of {@code user}, as an integrator would configure one. */
    private static Properties producerConfig(String user) {
        Properties props = kafka.clientConfig(user);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    private static Properties consumerConfig(String user) {
        Properties props = kafka.clientConfig(user);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    /** What sending one record to {@code topic} fails with (the send's own exception or its future's). */
    private static Throwable sendFailure(Properties config, String topic) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            return failureOf(() -> producer.send(new ProducerRecord<>(topic, String.valueOf(SERVER),
                    "forged".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS));
        }
    }

    /** What reading {@code topic} from its beginning fails with (partition 0, assigned, so no group is involved unless configured). */
    private static Throwable readFailure(Properties config, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            if (config.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
                consumer.subscribe(List.of(topic));
            } else {
                consumer.assign(List.of(new TopicPartition(topic, 0)));
            }
            return failureOf(() -> {
                Instant deadline = Instant.now().plusSeconds(20);
                while (Instant.now().isBefore(deadline)) {
                    consumer.poll(Duration.ofMillis(200));
                }
            });
        }
    }

    private static void assertTopicDenied(Throwable failure, String topic) {
        assertThat(failure).as("what %s is refused with", topic).isInstanceOf(TopicAuthorizationException.class);
        assertThat(((TopicAuthorizationException) failure).unauthorizedTopics()).containsExactly(topic);
    }

    interface Attempt {
        void run() throws Exception;
    }

    /** The exception {@code attempt} ends in (unwrapped from ExecutionException); fails the test when it succeeds. */
    private static Throwable failureOf(Attempt attempt) {
        try {
            attempt.run();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
        throw new AssertionError("expected the broker to refuse it, but it succeeded");
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** The broker's authorization audit log ({@code kafka.authorizer.logger}): every refusal it logs. */
    static final class AuditLog extends AppenderBase<ILoggingEvent> {
        private final List<String> denials = new CopyOnWriteArrayList<>();
        private Logger logger;
        private Level previousLevel;
        private boolean previousAdditive;

        void attach() {
            logger = (Logger) LoggerFactory.getLogger("kafka.authorizer.logger");
            previousLevel = logger.getLevel();
            previousAdditive = logger.isAdditive();
            setContext(logger.getLoggerContext());
            setName("authz-it-audit");
            start();
            logger.addAppender(this);
            logger.setLevel(Level.INFO);
            logger.setAdditive(false);
        }

        void detach() {
            if (logger != null) {
                logger.detachAppender(this);
                logger.setLevel(previousLevel);
                logger.setAdditive(previousAdditive);
                stop();
            }
        }

        @Override
        protected void append(ILoggingEvent event) {
            String message = event.getFormattedMessage();
            if (message.contains(" is Denied ")) {
                denials.add(message);
            }
        }

        private static final java.util.regex.Pattern AUDIT = java.util.regex.Pattern.compile(
                "Principal = (\\S+) is Denied operation = (\\S+) from host = \\S+ on resource = (\\S+) for request = (\\S+).*");

        /** "User:x Write Topic:LITERAL:t (Produce)" of an audit line. */
        static String brief(String denial) {
            java.util.regex.Matcher m = AUDIT.matcher(denial);
            return m.matches() ? m.group(1) + " " + m.group(2) + " " + m.group(3) + " (" + m.group(4) + ")" : denial;
        }

        List<String> denials() {
            return List.copyOf(denials);
        }

        List<String> denialsOf(List<String> users) {
            return denials.stream()
                    .filter(d -> users.stream().anyMatch(u -> d.startsWith("Principal = User:" + u + " ")))
                    .toList();
        }
    }
}

package com.hostkey.reinstall.handler;

import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.reinstall.handler.validation.ReinstallValidator;
import com.hostkey.reinstall.handler.validation.ValidationLimits;
import com.hostkey.reinstall.schemas.runtime.EnvSettings;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** Wires the command handler from the environment and runs it until SIGTERM. */
public final class CommandHandlerMain {

    private CommandHandlerMain() {}

    public static void main(String[] args) throws InterruptedException {
        HandlerConfig config = HandlerConfig.fromEnv(EnvSettings.fromSystem());
        HostkeyClient hostkey = new HostkeyClient(HostkeyClientConfig.fromEnv(System.getenv()));
        CommandHandler handler = CommandHandler.start(config, new StepExecutor(hostkey, config.secretOpener(),
                new ReinstallValidator(ValidationLimits.defaults()), Clock.systemUTC()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            handler.close();
            hostkey.close();
            stopped.countDown();
        }, "handler-shutdown"));
        stopped.await();
    }
}

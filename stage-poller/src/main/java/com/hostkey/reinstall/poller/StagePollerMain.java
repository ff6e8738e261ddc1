package com.hostkey.reinstall.poller;

import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.reinstall.schemas.runtime.EnvSettings;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

/** Wires the stage poller from the environment and runs it until SIGTERM. */
public final class StagePollerMain {

    private StagePollerMain() {}

    public static void main(String[] args) throws InterruptedException {
        PollerConfig config = PollerConfig.fromEnv(EnvSettings.fromSystem());
        HostkeyClient hostkey = new HostkeyClient(HostkeyClientConfig.fromEnv(System.getenv()));
        StagePoller poller = StagePoller.start(config, hostkey, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            poller.close();
            hostkey.close();
            stopped.countDown();
        }, "poller-shutdown"));
        stopped.await();
    }
}

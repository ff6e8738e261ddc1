package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.testkit.MutableClock;
import com.hostkey.reinstall.cli.kafka.FeedItem;
import com.hostkey.reinstall.cli.kafka.ReinstallFeed;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A scripted feed: each poll answers the next batch; with none left it lets the clock run for the
 * poll's timeout, as a quiet topic would.
 */
public final class FakeFeed implements ReinstallFeed {

    private final MutableClock clock;
    private final Deque<List<FeedItem>> batches = new ArrayDeque<>();
    public boolean started;
    public boolean startedBeforePublish;
    public boolean closed;
    public int polls;
    private FakeConnectors connectors;

    public FakeFeed(MutableClock clock) {
        this.clock = clock;
    }

    void attach(FakeConnectors connectors) {
        this.connectors = connectors;
    }

    public FakeFeed then(Object... items) {
        List<FeedItem> batch = new ArrayList<>();
        for (Object item : items) {
            batch.add(switch (item) {
                case ReinstallEvent e -> new FeedItem.Event(e);
                case ReinstallCompletion c -> new FeedItem.Completion(c);
                case FeedItem f -> f;
                default -> throw new IllegalArgumentException(item.toString());
            });
        }
        batches.add(batch);
        return this;
    }

    public FakeFeed thenAll(List<?> items) {
        return then(items.toArray());
    }

    @Override
    public void start() {
        started = true;
        startedBeforePublish = connectors == null || connectors.published.isEmpty();
    }

    @Override
    public List<FeedItem> poll(Duration timeout) {
        polls++;
        if (batches.isEmpty()) {
            clock.advance(timeout);
            return List.of();
        }
        clock.advance(Duration.ofMillis(10));
        return batches.poll();
    }

    @Override
    public void close() {
        closed = true;
    }
}

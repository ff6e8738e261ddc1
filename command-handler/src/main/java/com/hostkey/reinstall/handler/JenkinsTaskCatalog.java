package com.hostkey.reinstall.handler;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Jenkins tasks of each account, as {@code jenkins/get_tasks} last listed them. The list is the
 * account's, not a server's, so validations share it for {@code ttl} instead of asking Hostkey once
 * per reinstall (a third of the validation's calls, against the account's request budget). A listing
 * that lacks a task a request names is read again at once, so a task added in Hostkey is never refused
 * for a stale list; a task removed there may still pass validation within {@code ttl}, and then fails
 * its {@code jenkins/run_task} like a task removed between validation and run. {@code ttl} zero: no sharing.
 */
final class JenkinsTaskCatalog {

    private final HostkeyApi hostkey;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Listing> listings = new ConcurrentHashMap<>();

    private record Listing(List<JenkinsTask> tasks, Instant readAt) {}

    JenkinsTaskCatalog(HostkeyApi hostkey, Duration ttl, Clock clock) {
        this.hostkey = hostkey;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** The account's tasks, in a listing no older than the ttl that names every task of {@code wanted}. */
    List<JenkinsTask> tasks(String account, Collection<String> wanted) {
        Instant now = clock.instant();
        Listing shared = listings.get(account);
        if (shared != null && shared.readAt().plus(ttl).isAfter(now) && names(shared).containsAll(wanted)) {
            return shared.tasks();
        }
        List<JenkinsTask> read = List.copyOf(hostkey.jenkinsTasks(account));
        listings.put(account, new Listing(read, now));
        return read;
    }

    private static List<String> names(Listing listing) {
        return listing.tasks().stream().map(JenkinsTask::id).filter(Objects::nonNull).toList();
    }
}

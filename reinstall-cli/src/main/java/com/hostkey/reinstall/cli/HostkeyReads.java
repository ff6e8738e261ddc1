package com.hostkey.reinstall.cli;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import java.util.List;

/**
 * The only Hostkey calls the CLI makes: reads (os/list, eq/show, jenkins/get_tasks). Nothing here
 * can touch a server; every action goes through Kafka and the command handler.
 */
public interface HostkeyReads extends AutoCloseable {

    List<OsOffer> listOs(String account, long serverId);

    ServerFacts show(String account, long serverId);

    List<JenkinsTask> jenkinsTasks(String account);

    @Override
    void close();
}

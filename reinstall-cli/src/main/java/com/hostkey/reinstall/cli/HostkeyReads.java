package com.hostkey.reinstall.cli;

import com.hostkey.invapi.client.HostkeyApi.JenkinsTask;
import com.hostkey.invapi.client.HostkeyApi.OsOffer;
import com.hostkey.invapi.client.HostkeyApi.ServerFacts;
import com.hostkey.invapi.client.HostkeyClient.LoginFacts;
import com.hostkey.invapi.client.HostkeyClient.ShowAnswer;
import com.hostkey.invapi.client.HostkeyClientConfig;
import java.util.List;

/**
 * The only Hostkey calls the CLI makes: reads (os/list, eq/show, jenkins/get_tasks) and the login
 * they need. Nothing here can touch a server; every action goes through Kafka and the command handler.
 */
public interface HostkeyReads extends AutoCloseable {

    /** The client settings in force (token lifetime asked, refresh margin, refusal patterns). */
    HostkeyClientConfig settings();

    /** What auth/login answered for the account (logs in unless it has a session). */
    LoginFacts login(String account);

    /** eq/show, with the field names its server data carried. */
    ShowAnswer showAnswer(String account, long serverId);

    List<OsOffer> listOs(String account, long serverId);

    ServerFacts show(String account, long serverId);

    List<JenkinsTask> jenkinsTasks(String account);

    @Override
    void close();
}

package com.hostkey.invapi.client;

import java.util.List;
import java.util.Map;

/** The contract scenarios against bodies recorded in the documented shapes ({@link RecordedInvapi}). */
class RecordedBodiesContractTest extends InvapiContract {

    private RecordedInvapi invapi;

    private RecordedInvapi invapi() {
        if (invapi == null) {
            try {
                invapi = new RecordedInvapi(clientClock);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start mockwebserver", e);
            }
        }
        return invapi;
    }

    @Override
    String baseUrl() {
        return invapi().baseUrl();
    }

    @Override
    void stopBackend() {
        if (invapi != null) {
            invapi.close();
        }
    }

    @Override
    void givenFlatLogin() {
        invapi().flatLogin();
    }

    @Override
    void givenKeyInsideNotFoundMessage() {
        invapi().keyInNotFoundMessage();
    }

    @Override
    void givenScopeAsObjectAndNumericContextId() {
        invapi().objectScope();
    }

    @Override
    String givenRefusedApiKey() {
        String key = "no-such-api-key-0000";
        invapi().refuse(key);
        return key;
    }

    @Override
    void givenShowRefusesTokens(int times) {
        invapi().refuseShowTokens(times);
    }

    @Override
    void whenHostkeyExpiresTheSessions() {
        invapi().expireSessions();
    }

    @Override
    void whenActionsComplete() {
        invapi().completeActions();
    }

    @Override
    void whenInstallReaches(int stage) {
        invapi().reachStage(stage);
    }

    @Override
    List<Map<String, String>> receivedForms(String call) {
        return invapi().forms(call);
    }
}

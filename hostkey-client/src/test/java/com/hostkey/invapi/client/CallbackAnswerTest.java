package com.hostkey.invapi.client;

import static com.hostkey.invapi.client.FakeInvapi.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer.Kind;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.Test;

/** Every documented (and assumed) eq_callback answer shape, classified. */
class CallbackAnswerTest extends InvapiTestBase {

    private static final String KEY = "f685eaa0f06e47faa2e6bb5002828b00";

    private CallbackAnswer check(String body) {
        invapi.enqueue("eq_callback/check", json(body));
        return client.checkCallback(KEY);
    }

    @Test
    void shouldReadNotReady() {
        CallbackAnswer a = check("{\"result\":\"Not ready\",\"key\":\"" + KEY + "\"}");

        assertThat(a.kind()).isEqualTo(Kind.NOT_READY);
        assertThat(a.key()).isEqualTo(KEY);
    }

    @Test
    void shouldReadStageNumberFromScopeText() {
        CallbackAnswer a = check("""
                {"result":"Stage","scope":"Stage 3: post-install done, final tasks",
                 "context":{"action":"reinstall","id":"4242","location":"NL"},"key":"%s"}""".formatted(KEY));

        assertThat(a).isEqualTo(new CallbackAnswer(Kind.STAGE, KEY, 3, "Stage 3: post-install done, final tasks",
                "reinstall", "4242"));
    }

    @Test
    void shouldReadLowerCaseStageInScopeText() {
        assertThat(check("{\"result\":\"Stage\",\"scope\":\"install: stage 2 of 5\"}").stage()).isEqualTo(2);
    }

    @Test
    void shouldPreferStageNumberFromContext() {
        CallbackAnswer a = check("""
                {"result":"Stage","scope":"Base OS installed","context":{"action":"reinstall","id":4242,"stage":"4"},"key":"%s"}"""
                .formatted(KEY));

        assertThat(a.kind()).isEqualTo(Kind.STAGE);
        assertThat(a.stage()).isEqualTo(4);
        assertThat(a.serverId()).isEqualTo("4242");
    }

    @Test
    void shouldLeaveStageNullWhenNoNumberIsGiven() {
        CallbackAnswer a = check("{\"result\":\"Stage\",\"scope\":\"Installing packages\",\"key\":\"" + KEY + "\"}");

        assertThat(a.kind()).isEqualTo(Kind.STAGE);
        assertThat(a.stage()).isNull();
    }

    @Test
    void shouldReadOkWithObjectScopeNullDebugAndNumericContextId() {
        CallbackAnswer a = check("""
                {"result":"OK","scope":{"power":"on","ip":"192.0.2.10"},
                 "context":{"action":"reboot","id":4242,"location":"NL"},"debug":null,"key":"%s"}""".formatted(KEY));

        assertThat(a.kind()).isEqualTo(Kind.OK);
        assertThat(a.scope()).isEqualTo("{\"power\":\"on\",\"ip\":\"192.0.2.10\"}");
        assertThat(a.action()).isEqualTo("reboot");
        assertThat(a.serverId()).isEqualTo("4242");
    }

    @Test
    void shouldReadOkWithNumericScopeAndNoContext() {
        CallbackAnswer a = check("{\"result\":\"OK\",\"scope\":1,\"debug\":{\"trace\":[]}}");

        assertThat(a.kind()).isEqualTo(Kind.OK);
        assertThat(a.scope()).isEqualTo("1");
        assertThat(a.action()).isNull();
        assertThat(a.key()).as("the asked key when the answer names none").isEqualTo(KEY);
    }

    @Test
    void shouldReadErrorWithItsReason() {
        CallbackAnswer a = check("{\"result\":\"Error\",\"scope\":\"PXE boot failed\",\"key\":\"" + KEY + "\"}");

        assertThat(a.kind()).isEqualTo(Kind.ERROR);
        assertThat(a.scope()).isEqualTo("PXE boot failed");
    }

    @Test
    void shouldTakeErrorReasonFromDebugWhenScopeIsEmpty() {
        CallbackAnswer a = check("{\"result\":\"Error\",\"scope\":null,\"debug\":\"disk not found\",\"message\":\"failed\"}");

        assertThat(a.kind()).isEqualTo(Kind.ERROR);
        assertThat(a.scope()).isEqualTo("disk not found");
    }

    @Test
    void shouldReadAsyncKeyNotFoundWithTheKeyBesideTheMessage() {
        CallbackAnswer a = check("{\"code\":-1,\"message\":\"AsyncKey not found\",\"key\":\"" + KEY + "\"}");

        assertThat(a.kind()).isEqualTo(Kind.KEY_NOT_FOUND);
        assertThat(a.key()).isEqualTo(KEY);
    }

    @Test
    void shouldReadAsyncKeyNotFoundWithTheKeyInsideTheMessage() {
        CallbackAnswer a = check("{\"code\":-1,\"message\":\"eq_callback/check: AsyncKey not found: " + KEY + "\"}");

        assertThat(a.kind()).isEqualTo(Kind.KEY_NOT_FOUND);
        assertThat(a.key()).isEqualTo(KEY);
    }

    @Test
    void shouldTreatUnknownResultAsNotReady() {
        assertThat(check("{\"result\":\"Queued\",\"key\":\"" + KEY + "\"}").kind()).isEqualTo(Kind.NOT_READY);
        assertThat(check("{\"result\":\"In progress\",\"message\":\"working\"}").kind())
                .as("an unknown word with a message is an error elsewhere, but a check never fails on it")
                .isEqualTo(Kind.NOT_READY);
    }

    @Test
    void shouldRaiseRejectedOnAnyOtherErrorBody() {
        invapi.enqueue("eq_callback/check", json("{\"code\":-1,\"message\":\"eq_callback/check: key is malformed\"}"));

        assertThatThrownBy(() -> client.checkCallback(KEY)).isInstanceOf(HostkeyException.Rejected.class);
    }

    @Test
    void shouldRetryChecksOnServiceUnavailable() {
        invapi.enqueue("eq_callback/check", new MockResponse.Builder().code(503).build(),
                json("{\"result\":\"Not ready\",\"key\":\"" + KEY + "\"}"));

        assertThat(client.checkCallback(KEY).kind()).isEqualTo(Kind.NOT_READY);
        assertThat(invapi.count("eq_callback/check")).isEqualTo(2);
    }
}

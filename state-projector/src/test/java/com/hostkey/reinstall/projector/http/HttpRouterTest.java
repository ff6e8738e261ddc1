package com.hostkey.reinstall.projector.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.projector.http.HttpRouter.Dispatch;
import com.hostkey.reinstall.projector.http.Route.Access;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The query port's dispatch as a pure decision: which route answers, or which refusal. */
class HttpRouterTest {

    private static final String READ_TOKEN = QueryApiSettings.generateToken();
    private static final String WRITE_TOKEN = QueryApiSettings.generateToken();
    private static final Route PAGE = Route.get("/|/page/.*", Access.PUBLIC, "the page is read-only", request -> null);
    private static final Route ACT = Route.post("/things/(\\d+)/act", Access.TOKEN, "acting is POST", request -> null);
    private static final Route ONE = Route.get("/things/(\\d+)", Access.TOKEN, Route.READ_ONLY, request -> null);
    private static final Route ANY_THING = Route.get("/things/(.*)", Access.TOKEN, Route.READ_ONLY, request -> null);

    private final HttpRouter router = new HttpRouter(List.of(PAGE, ACT, ONE, ANY_THING),
            new Authenticator(QueryApiSettings.ofTokens(List.of(READ_TOKEN)).withWriteTokens(Map.of("alice", WRITE_TOKEN))));

    @Test
    void shouldCallTheFirstRouteWhoseDeeperPatternMatchesWithTheAcceptedCaller() {
        Dispatch.Call act = call(router.dispatch("POST", "/things/42/act", bearer(WRITE_TOKEN)));
        assertThat(act.route()).isSameAs(ACT);
        assertThat(act.path().group(1)).isEqualTo("42");
        assertThat(act.caller()).isEqualTo(new Caller.Operator("alice", WRITE_TOKEN));

        Dispatch.Call one = call(router.dispatch("GET", "/things/42", bearer(READ_TOKEN)));
        assertThat(one.route()).isSameAs(ONE);
        assertThat(one.caller()).isEqualTo(new Caller.Reader(READ_TOKEN));
        assertThat(call(router.dispatch("GET", "/things/42/other", bearer(READ_TOKEN))).route()).isSameAs(ANY_THING);
    }

    @Test
    void shouldAnswerAHeadLikeAGet() {
        assertThat(call(router.dispatch("HEAD", "/things/42", bearer(READ_TOKEN))).route()).isSameAs(ONE);
        assertThat(call(router.dispatch("HEAD", "/", null)).route()).isSameAs(PAGE);
    }

    @Test
    void shouldServePublicRoutesWithoutLookingAtTheToken() {
        Dispatch.Call page = call(router.dispatch("GET", "/page/main.js", bearer("not-a-token-we-know-at-all")));

        assertThat(page.route()).isSameAs(PAGE);
        assertThat(page.caller()).isNull();
        assertThat(router.dispatch("POST", "/", null)).isEqualTo(answer(new Reply.NotAllowed("GET, HEAD", "the page is read-only")));
    }

    @Test
    void shouldRefuseAStrangerBeforeTellingWhichMethodsAPathTakes() {
        Reply missing = new Reply.Unauthorized("Bearer realm=\"reinstall-state\"", "missing bearer token");
        Reply invalid = new Reply.Unauthorized("Bearer realm=\"reinstall-state\", error=\"invalid_token\"", "invalid bearer token");

        assertThat(router.dispatch("GET", "/things/42", null)).isEqualTo(answer(missing));
        assertThat(router.dispatch("DELETE", "/things/42", null)).isEqualTo(answer(missing));
        assertThat(router.dispatch("POST", "/things/42/act", bearer(READ_TOKEN + "x"))).isEqualTo(answer(invalid));
        assertThat(router.dispatch("GET", "/elsewhere", null)).as("unknown paths too").isEqualTo(answer(missing));
    }

    @Test
    void shouldAnswerAWrongMethodWith405NamingTheRoutesMethod() {
        assertThat(router.dispatch("GET", "/things/42/act", bearer(WRITE_TOKEN)))
                .isEqualTo(answer(new Reply.NotAllowed("POST", "acting is POST")));
        assertThat(router.dispatch("PUT", "/things/42", bearer(WRITE_TOKEN)))
                .isEqualTo(answer(new Reply.NotAllowed("GET, HEAD", Route.READ_ONLY)));
    }

    @Test
    void shouldAnswerAPathNoRouteKnowsWith404ToAReadAnd405ToAWrite() {
        assertThat(router.dispatch("GET", "/elsewhere/<b>", bearer(READ_TOKEN)))
                .isEqualTo(answer(new Reply.Error(404, "no such resource: /elsewhere/?b?")));
        assertThat(router.dispatch("POST", "/elsewhere", bearer(WRITE_TOKEN)))
                .isEqualTo(answer(new Reply.NotAllowed("GET, HEAD", Route.READ_ONLY)));
    }

    @Test
    void shouldNotReadAnOverlongPath() {
        assertThat(router.dispatch("GET", "/" + "x".repeat(HttpRouter.MAX_PATH_LENGTH), null))
                .isEqualTo(answer(new Reply.Error(404, "no such resource")));
        assertThat(router.dispatch("GET", null, null)).isEqualTo(answer(new Reply.Error(404, "no such resource")));
    }

    private static List<String> bearer(String token) {
        return List.of("Bearer " + token);
    }

    private static Dispatch.Answer answer(Reply reply) {
        return new Dispatch.Answer(reply);
    }

    private static Dispatch.Call call(Dispatch dispatch) {
        assertThat(dispatch).isInstanceOf(Dispatch.Call.class);
        return (Dispatch.Call) dispatch;
    }
}

package com.hostkey.reinstall.projector.http;

import com.hostkey.reinstall.projector.http.Caller.Refused;
import java.util.List;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one dispatch of the query port, a pure decision from (method, path, Authorization) to the
 * route that answers or the refusal:
 *
 * <ol>
 *   <li>a path longer than {@value #MAX_PATH_LENGTH} characters is 404, unread;</li>
 *   <li>the first route whose pattern matches the whole path is the one (so deeper paths are listed before catch-alls);</li>
 *   <li>a {@link Route.Access#TOKEN} route sees only an accepted caller, else 401 with the challenge,
 *       before its method is checked, so a stranger learns nothing of which paths exist;</li>
 *   <li>another method than the route's is 405 with {@code Allow}; HEAD is a GET without the body;</li>
 *   <li>a path no route matches needs a token too, then is 404 to a read and 405 to anything else
 *       (the API is read-only but for the routes that say otherwise).</li>
 * </ol>
 */
final class HttpRouter {

    static final int MAX_PATH_LENGTH = 256;
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

    /** What a request comes to: a route to call, or an answer without one. */
    sealed interface Dispatch {

        /** Call {@code route}: {@code path} holds its groups; {@code caller} is null on a public route. */
        record Call(Route route, Matcher path, Caller caller) implements Dispatch {}

        record Answer(Reply reply) implements Dispatch {}
    }

    private final List<Route> routes;
    private final Authenticator authenticator;

    HttpRouter(List<Route> routes, Authenticator authenticator) {
        this.routes = List.copyOf(routes);
        this.authenticator = authenticator;
    }

    /** @param authorization every Authorization header of the request (null or empty when none) */
    Dispatch dispatch(String method, String path, List<String> authorization) {
        if (path == null || path.length() > MAX_PATH_LENGTH) {
            return new Dispatch.Answer(new Reply.Error(404, "no such resource"));
        }
        for (Route route : routes) {
            Matcher match = route.path().matcher(path);
            if (!match.matches()) {
                continue;
            }
            Caller caller = null;
            if (route.access() == Route.Access.TOKEN) {
                caller = authenticator.authenticate(authorization);
                if (caller instanceof Refused refused) {
                    return refuse(refused, path);
                }
            }
            if (!route.answers(method)) {
                return new Dispatch.Answer(new Reply.NotAllowed(route.allow(), route.notAllowed()));
            }
            return new Dispatch.Call(route, match, caller);
        }
        if (authenticator.authenticate(authorization) instanceof Refused refused) {
            return refuse(refused, path);
        }
        return new Dispatch.Answer(method.equals("GET") || method.equals("HEAD")
                ? new Reply.Error(404, "no such resource: " + ApiErrors.excerpt(path))
                : new Reply.NotAllowed("GET, HEAD", Route.READ_ONLY));
    }

    private static Dispatch refuse(Refused refused, String path) {
        log.debug("refused a request for {}: {} token", ApiErrors.excerpt(path), refused.reason());
        return new Dispatch.Answer(new Reply.Unauthorized(refused.reason().challenge(), refused.reason().message()));
    }
}

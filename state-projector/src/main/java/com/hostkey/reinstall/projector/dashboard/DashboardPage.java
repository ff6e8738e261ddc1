package com.hostkey.reinstall.projector.dashboard;

import com.hostkey.reinstall.projector.http.Reply;
import com.hostkey.reinstall.projector.http.Request;
import com.hostkey.reinstall.projector.http.Route;
import com.hostkey.reinstall.projector.http.Route.Access;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dashboard's page: {@code GET /}, {@code /dashboard} and {@code /dashboard/<file>}, the static
 * files of {@code src/main/resources/dashboard} and nothing else (no path leads out of it). Served
 * without a token: they carry no data, and every data call the page makes sends the token.
 */
final class DashboardPage {

    private static final Pattern FILE = Pattern.compile("^/dashboard/([a-z0-9-]{1,40}\\.(html|css|js|svg))$");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");

    private final Map<String, Optional<byte[]>> files = new ConcurrentHashMap<>();

    Route route() {
        return Route.get("/|/dashboard/?|/dashboard/.*", Access.PUBLIC,
                "method not allowed: the dashboard's files are read-only (GET, HEAD)", this::serve);
    }

    private Reply serve(Request request) {
        String path = request.path();
        String name;
        if (path.equals("/") || path.equals("/dashboard") || path.equals("/dashboard/")) {
            name = "index.html";
        } else {
            Matcher file = FILE.matcher(path);
            if (!file.matches()) {
                return new Reply.Error(404, "no such file");
            }
            name = file.group(1);
        }
        Optional<byte[]> body = files.computeIfAbsent(name, DashboardPage::load);
        if (body.isEmpty()) {
            return new Reply.Error(404, "no such file");
        }
        return new Reply.Page(CONTENT_TYPES.get(name.substring(name.lastIndexOf('.') + 1)), body.get());
    }

    private static Optional<byte[]> load(String name) {
        try (InputStream in = DashboardPage.class.getResourceAsStream("/dashboard/" + name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the dashboard file " + name, e);
        }
    }
}

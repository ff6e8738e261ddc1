package com.hostkey.reinstall.projector.query;

import java.util.LinkedHashMap;
import java.util.Map;

/** The one JSON shape of an error answer of the query API and the dashboard: {@code {"error": message, "status": code}}. */
final class ApiErrors {

    private ApiErrors() {}

    static Map<String, Object> body(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        return body;
    }
}

package com.hostkey.reinstall.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Where a command writes: results to standard output (text, or one JSON document with --json),
 * warnings and notes to standard error so that a script's JSON stays clean.
 */
public final class Output {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper JSON_LINE = new ObjectMapper();

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;

    public Output(PrintWriter out, PrintWriter err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    public boolean json() {
        return json;
    }

    public PrintWriter out() {
        return out;
    }

    public void line(String text) {
        out.println(text);
        out.flush();
    }

    public void lines(List<String> lines) {
        lines.forEach(out::println);
        out.flush();
    }

    public void document(Object value) {
        out.println(toJson(value));
        out.flush();
    }

    /** One JSON object on one line (for JSON-lines streams such as watch). */
    public void jsonLine(Object value) {
        try {
            out.println(JSON_LINE.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }

    /** A note for people on standard error, in JSON mode too. */
    public void warn(String text) {
        err.println("warning: " + text);
        err.flush();
    }

    /** One line of JSON: errors on stderr stay one record each. */
    public static String toJsonLine(Object value) {
        try {
            return JSON_LINE.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

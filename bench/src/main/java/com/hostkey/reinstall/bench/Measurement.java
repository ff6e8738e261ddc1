package com.hostkey.reinstall.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one run measured: a value per metric name, and notes worth reading beside the numbers. */
public final class Measurement {

    private final Map<String, Double> values = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    public Measurement put(String metric, double value) {
        values.put(metric, value);
        return this;
    }

    public Measurement note(String note) {
        notes.add(note);
        return this;
    }

    /** The value, or NaN when this run did not measure it. */
    public double value(String metric) {
        return values.getOrDefault(metric, Double.NaN);
    }

    public Map<String, Double> values() {
        return Collections.unmodifiableMap(values);
    }

    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    @Override
    public String toString() {
        return values + (notes.isEmpty() ? "" : " " + notes);
    }
}

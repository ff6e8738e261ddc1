package com.hostkey.reinstall.bench;

import java.util.List;
import java.util.Map;

/**
 * A figure's outcome over all its runs.
 *
 * @param figure      its number in issue 8
 * @param title       short name
 * @param targetText  the target in words
 * @param parameters  sizes and settings it ran with
 * @param metrics     every metric over the runs
 * @param notes       what the runs noted (run number first)
 * @param runs        runs that completed
 * @param seconds     wall time of the whole figure, set-up included
 * @param error       why the figure did not complete, or null
 * @param reproduce   the command that runs this figure alone
 */
public record FigureResult(int figure, String title, String targetText, Map<String, Object> parameters,
                           List<MetricResult> metrics, List<String> notes, int runs, double seconds, String error,
                           String reproduce) {

    public enum Verdict { MET, NOT_MET, FAILED, NO_TARGET }

    public Verdict verdict() {
        if (error != null && runs == 0) {
            return Verdict.FAILED;
        }
        boolean anyTarget = false;
        for (MetricResult metric : metrics) {
            if (metric.met() != null) {
                anyTarget = true;
                if (!metric.met()) {
                    return Verdict.NOT_MET;
                }
            }
        }
        if (error != null) {
            return Verdict.FAILED;
        }
        return anyTarget ? Verdict.MET : Verdict.NO_TARGET;
    }
}

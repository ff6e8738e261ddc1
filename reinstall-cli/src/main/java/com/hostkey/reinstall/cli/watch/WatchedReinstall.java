package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.progress.Outcome;
import com.hostkey.reinstall.cli.progress.ProgressFormatter;
import com.hostkey.reinstall.cli.state.HistoryEntryView;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One server's watch as far as the state projector has shown it: which reinstall it follows, that
 * reinstall's latest state, the history entries already printed, the progress last shown and how
 * it ended. Pure: it takes the projector's answers and says what is new; where the reinstall
 * stands is the projector's word, never worked out here.
 *
 * <p>Which reinstall: for a {@link WatchTarget.Request}, the one whose state carries the request
 * id; for {@link WatchTarget.Current}, the one the first answer shows, else the first to appear;
 * for {@link WatchTarget.Next}, the same unless it had already ended, then the next one.
 *
 * <p>Its entries: those naming its reinstall id, and those naming none (cancel and release
 * requests) written since it was requested. Joining a reinstall already in the nine steps (or
 * ended), the watch prints only the entries that come after: the step table shows the rest.
 *
 * <p>It ends when the state is terminal. Two endings the state cannot show: a request the
 * projector refused (busy or quarantined server) never becomes the server's state, so its
 * {@value #REFUSED} entry ends the watch as REJECTED; and once the state has moved on to another
 * reinstall (one began before the watch looked again), the watched one ended with an outcome no
 * longer shown.
 */
public final class WatchedReinstall {

    /** The projector's history entry type for a refused request. */
    static final String REFUSED = "RequestRejected";

    /**
     * How the watched reinstall ended.
     *
     * @param outcome null when the projector no longer shows it
     * @param text    "FAILED in 4/9 reboot (AUTH): ...", the refusal, or why the outcome is unknown
     */
    public record Ending(Outcome outcome, String text) {

        public int exitCode() {
            return outcome == null ? ExitCode.TIMEOUT : outcome.exitCode();
        }

        public String name() {
            return outcome == null ? "UNKNOWN" : outcome.name();
        }
    }

    /**
     * What one look at the projector brought.
     *
     * @param adopted    the watch learned now which reinstall it follows
     * @param joined     its first look found that reinstall already in the nine steps, or ended: its past is not
     *                   printed, the step table shows it
     * @param entries    history entries not printed before, oldest first
     * @param progressed the projector's progress moved since it was last shown
     */
    public record News(boolean adopted, boolean joined, List<HistoryEntryView> entries, boolean progressed) {}

    private final WatchTarget target;
    private String reinstallId;
    private String passedOver;
    private int looks;
    private boolean adopted;
    private ReinstallStateView state;
    private String shownProgress;
    private final Set<String> printed = new HashSet<>();
    private Ending ending;
    private int endedAtLook;

    public WatchedReinstall(WatchTarget target) {
        this.target = target;
        this.reinstallId = target instanceof WatchTarget.Request request ? request.reinstallId() : null;
    }

    /** Takes one answer of the projector: the server's state (empty: none) and its history. */
    public News look(Optional<ReinstallStateView> answer, List<HistoryEntryView> history) {
        looks++;
        ReinstallStateView seen = answer.orElse(null);
        boolean adoptedNow = false;
        boolean joined = false;
        if (ending == null && !adopted && seen != null && follows(seen)) {
            adopted = true;
            adoptedNow = true;
            joined = looks == 1 && !(target instanceof WatchTarget.Request)
                    && (seen.isTerminal() || (seen.progress() != null && seen.progress().step() > 0));
            reinstallId = seen.reinstallId();
        }
        boolean progressed = false;
        if (ending == null && adopted && seen != null) {
            if (!Objects.equals(seen.reinstallId(), reinstallId)) {
                end(new Ending(null, "not seen: the server went on to reinstall " + seen.reinstallId() + " (" + seen.phaseName()
                        + ") before this watch saw reinstall " + reinstallId + " end"));
            } else {
                state = seen;
                String progress = seen.phaseName() + " " + ProgressFormatter.where(seen);
                progressed = !adoptedNow && !progress.equals(shownProgress);
                shownProgress = progress;
            }
        }
        List<HistoryEntryView> fresh = newEntries(history);
        if (joined) {
            fresh = List.of();
        }
        if (ending == null && !adopted && target instanceof WatchTarget.Request) {
            history.stream().filter(e -> REFUSED.equals(e.type()) && reinstallId.equals(e.reinstallId())).findFirst()
                    .ifPresent(refusal -> end(new Ending(Outcome.REJECTED, "REJECTED: " + refusal.summary())));
        }
        if (ending == null && state != null && state.isTerminal()) {
            end(new Ending(Outcome.ofPhase(state.phase()).orElseThrow(), ProgressFormatter.outcome(state)));
        }
        return new News(adoptedNow, joined, fresh, progressed);
    }

    /** The entries of the watched reinstall in {@code history} not printed before, now counted as printed. */
    public List<HistoryEntryView> newEntries(List<HistoryEntryView> history) {
        List<HistoryEntryView> fresh = new ArrayList<>();
        for (HistoryEntryView entry : history) {
            if (belongs(entry) && printed.add(entry.identity())) {
                fresh.add(entry);
            }
        }
        return fresh;
    }

    private boolean follows(ReinstallStateView seen) {
        return switch (target) {
            case WatchTarget.Request request -> request.requestId().equals(seen.requestId());
            case WatchTarget.Current current -> true;
            case WatchTarget.Next next -> {
                if (looks == 1 && seen.isTerminal()) {
                    passedOver = seen.reinstallId();
                    yield false;
                }
                yield !Objects.equals(seen.reinstallId(), passedOver);
            }
        };
    }

    private boolean belongs(HistoryEntryView entry) {
        if (entry.reinstallId() != null) {
            return entry.reinstallId().equals(reinstallId);
        }
        return state != null && state.requestedAt() != null && !entry.at().isBefore(state.requestedAt());
    }

    private void end(Ending how) {
        ending = how;
        endedAtLook = looks;
    }

    public long serverId() {
        return target.serverId();
    }

    public WatchTarget target() {
        return target;
    }

    /** Whether the projector has answered at least once. */
    public boolean looked() {
        return looks > 0;
    }

    /** The reinstall followed: known from the request, or once adopted. */
    public Optional<String> reinstallId() {
        return Optional.ofNullable(reinstallId);
    }

    /** The request followed: the submitted one, else the followed reinstall's. */
    public Optional<String> requestId() {
        return target instanceof WatchTarget.Request request ? Optional.of(request.requestId())
                : Optional.ofNullable(state).map(ReinstallStateView::requestId);
    }

    /** Whether the watch knows which reinstall it follows. */
    public boolean adopted() {
        return adopted;
    }

    /** The followed reinstall's latest state. */
    public Optional<ReinstallStateView> state() {
        return Optional.ofNullable(state);
    }

    public Optional<Ending> ending() {
        return Optional.ofNullable(ending);
    }

    public boolean isEnded() {
        return ending != null;
    }

    /** Ended after the first look: the projector may still be writing its last history entries. */
    public boolean endedWhileWatched() {
        return ending != null && endedAtLook > 1;
    }
}

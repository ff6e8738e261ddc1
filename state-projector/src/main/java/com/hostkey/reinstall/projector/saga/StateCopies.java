package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.util.function.Consumer;

/**
 * The one way the saga derives a changed state from another: a shallow copy with some fields set.
 * Avro's {@code ReinstallState.newBuilder(state)} deep-copies every map, list and string, and the
 * state machine made several such copies per input (an eighth of the stream thread in figure 3's
 * profile).
 *
 * <p>A shallow copy shares the collections of the state it came from, and states are values: the
 * saga processor keeps the states it stored and hands them back to the machine. So a collection
 * taken from a state is never changed in place; a change builds a new collection and sets it
 * (StateCopiesTest and the state machine's model test fail otherwise).
 *
 * <p>Fields are copied by their schema index, so a field added to ReinstallState is copied without
 * anyone remembering to list it here.
 */
final class StateCopies {

    private static final int FIELDS = ReinstallState.getClassSchema().getFields().size();

    private StateCopies() {
    }

    /** A copy of {@code state} with {@code changes} applied to the copy; {@code state} itself is left as it was. */
    static ReinstallState with(ReinstallState state, Consumer<ReinstallState> changes) {
        ReinstallState copy = shallowCopy(state);
        changes.accept(copy);
        return copy;
    }

    /** A new record holding the very same field values (collections included) as {@code state}. */
    static ReinstallState shallowCopy(ReinstallState state) {
        ReinstallState copy = new ReinstallState();
        for (int field = 0; field < FIELDS; field++) {
            copy.put(field, state.get(field));
        }
        return copy;
    }
}

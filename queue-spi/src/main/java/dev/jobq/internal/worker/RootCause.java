package dev.jobq.internal.worker;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The root cause of a throwable, read to a bound: its deepest cause, or in a chain that loops the last before the
 * chain comes back; in a chain deeper than {@link FailurePolicy#MAX_WALKED_CAUSES} causes, the one the walk stopped
 * at, {@code cut}. The throwable itself when it has no cause.
 */
public record RootCause(Throwable root, boolean cut) {

    /**
     * The root cause of {@code error}. Bounded: a getCause() that makes a new cause at each call (an adapter over a
     * cyclic chain) never comes back, and walking it ran the reading thread out of memory.
     */
    public static RootCause of(Throwable error) {
        // A chain may loop (a cause whose cause is the error again): the walk stops where it comes back, not never.
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(error);
        Throwable root = error;
        int walked = 0;
        Throwable cause = FailurePolicy.causeOf(root);
        for (; cause != null && walked < FailurePolicy.MAX_WALKED_CAUSES && seen.add(cause);
                cause = FailurePolicy.causeOf(root)) {
            root = cause;
            walked++;
        }
        return new RootCause(root, cause != null && walked == FailurePolicy.MAX_WALKED_CAUSES && !seen.contains(cause));
    }

    /**
     * The root's {@linkplain FailurePolicy#nameAndMessage name and message}, and where the walk stopped if cut, said of
     * {@code reader}, the text it is in: {@code ", the 10000th cause, where the description stops reading the chain"}.
     */
    public String text(String reader) {
        return FailurePolicy.nameAndMessage(root) + (cut ? ", the " + FailurePolicy.MAX_WALKED_CAUSES
                + "th cause, where " + reader + " stops reading the chain" : "");
    }
}

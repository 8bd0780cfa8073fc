package dev.jobq.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A throwable from code you do not control (a driver's, a client library's, a handler's), made safe to hand to a
 * logger or to repeat in a message. Such a throwable's {@code getMessage()}, {@code toString()},
 * {@code getCause()} or {@code getStackTrace()} may be overridden and throw (a message built from a session that is
 * closed by now), its message may be megabytes long or hold line breaks and escape sequences, and its chain of causes
 * may be thousands deep: the logger walks the chain recursively and reads each of these, and what it threw, or the
 * stack it overflowed, went out of the line that logged it, and out of whatever was being cleaned up. The core logs a
 * handler's failure through these; a provider or scheduler logs a driver's exception with
 * {@code log.warn("...", ..., LoggableThrowables.loggable(e))}. Everything here runs on the failure path only.
 */
public final class LoggableThrowables {

    /** How much of each message {@link #oneLine} and {@link #loggable}'s copy keep. */
    public static final int MAX_MESSAGE_CHARS = 1000;
    /** How many of a chain's throwables {@link #loggable}'s copy keeps (the first ones); a deeper chain is cut there. */
    public static final int MAX_LOGGED_CAUSES = 32;
    /** How many suppressed exceptions of each throwable {@link #loggable}'s copy keeps (the first ones). */
    public static final int MAX_LOGGED_SUPPRESSED = 8;
    /** How many throwables, causes and suppressed ones together, {@link #loggable}'s copy keeps of one failure. */
    public static final int MAX_LOGGED_THROWABLES = 64;

    private LoggableThrowables() {
    }

    /**
     * {@code error} for the log, or a stand-in when the logger cannot take it as it is: a message of it, of a
     * cause or of a suppressed exception cannot be read (what getMessage() threw in the logger ended the handler's
     * thread with its attempt unsettled, to wait out its lease), is longer than {@link #MAX_MESSAGE_CHARS} (a 10 MB
     * message was logged whole), the chain of causes is deeper than {@link #MAX_LOGGED_CAUSES} (the logger walks it
     * recursively: 10,000 causes overflowed its stack, again with the attempt unsettled), a throwable has more than
     * {@link #MAX_LOGGED_SUPPRESSED} suppressed exceptions, or there are more than {@link #MAX_LOGGED_THROWABLES} in
     * all. The stand-in is a copy, with the same stack traces, each message, its URLs' secrets masked
     * ({@link Secrets#maskUrl}), {@linkplain #oneLine cut} after its class's name
     * ({@code java.lang.IllegalStateException: no rows}), and the suppressed exceptions (a
     * try-with-resources whose close() threw has the real cause there).
     */
    public static Throwable loggable(Throwable error) {
        return fitsTheLog(error, Collections.newSetFromMap(new IdentityHashMap<>()), new int[] {MAX_LOGGED_THROWABLES})
                ? error : LoggedCopy.of(error);
    }

    /**
     * The message of {@code error}, or what its {@code getMessage()} threw instead
     * ({@code (its getMessage() threw UnsupportedOperationException: session closed)}): a message built from
     * what can no longer be read (an entity whose session has closed) must not keep the failure from
     * being described. Null when {@code error} has no message. As it is: {@link #oneLine} before it goes into a line.
     * An Error that getMessage() threw is told so too ({@code (its getMessage() threw NoClassDefFoundError: …)}: a class
     * its message needs whose jar is gone, its own recursion), and so is a checked exception thrown sneakily: either
     * threw out of the description of a handler's failure, the attempt unsettled until its lease ended. Out of memory
     * and the JVM's other {@link VirtualMachineError}s, a {@link StackOverflowError} aside, are thrown on
     * ({@link #throwIfFatal}).
     */
    public static @Nullable String messageOf(Throwable error) {
        try {
            return error.getMessage();
        } catch (Throwable e) {
            throwIfFatal(e);
            String why;
            try {
                why = e.getMessage();
            } catch (Throwable again) {
                throwIfFatal(again);
                why = null;
            }
            return "(its getMessage() threw " + simpleName(e.getClass()) + (why == null ? "" : ": " + why) + ")";
        }
    }

    /**
     * Throws {@code e} on when it is the JVM's own failure (out of memory, an internal error), which a caller may stop
     * the process on, as the worker hands a handler's on; a {@link StackOverflowError} is the overridden method's own
     * recursion, unwound by here, and is told like any other. The one rule for a {@code catch (Throwable …)} around
     * what a throwable from outside says of itself ({@code toString()} too, which reads {@code getMessage()}): a
     * catch of RuntimeException alone let a {@link NoClassDefFoundError} out, in place of the line telling the failure.
     */
    public static void throwIfFatal(Throwable e) {
        if (e instanceof VirtualMachineError fatal && !(e instanceof StackOverflowError)) {
            throw fatal;
        }
    }

    /**
     * The simple name of {@code type}, or for an anonymous class, whose simple name is empty, its binary name without
     * the package ({@code Jobs$1}): a message named a handler's {@code new IllegalStateException("no rows") { }} as
     * {@code ": no rows"}, and a provider built in code as {@code "provider ''"}.
     */
    public static String simpleName(Class<?> type) {
        String simple = type.getSimpleName();
        return simple.isEmpty() ? type.getName().substring(type.getName().lastIndexOf('.') + 1) : simple;
    }

    /**
     * {@code message} as one line, its first {@link #MAX_MESSAGE_CHARS} characters: a failure's text is its log
     * line's, its event's and its dead letter's. A 10 MB message went whole into each (a dead letter the memory
     * provider keeps), and a line break or an escape sequence in it wrote what looked like lines of the log's
     * own, or recoloured the terminal. A longer message is cut, never between the two halves of an emoji, with how
     * many characters were left out said: {@code aaaa… (9000 more characters)}; before the cut, the secrets of its URLs
     * are masked ({@link Secrets#maskUrl}): cut first, a URL the cut went through lost the '@' after its password, and
     * the masks run on the line afterwards (the log's, {@code /health}'s) found none and showed its first characters.
     * A message within the bound is not masked here: its URLs reach those masks whole. Then its control characters are
     * written as escapes ({@link UntrustedText#escape}): a line break as backslash-n, an ESC as {@code \u001b}. The
     * cut comes first, so an escaped line is longer than the characters it keeps, up to six times as long (about
     * 6,000 characters, and the count of those left out).
     */
    public static String oneLine(String message) {
        if (message.length() <= MAX_MESSAGE_CHARS) {
            return UntrustedText.escape(message);
        }
        return oneLineMasked(Secrets.maskUrl(message));
    }

    /** {@link #oneLine} of a message whose URLs' secrets are masked already. */
    private static String oneLineMasked(String masked) {
        if (masked.length() <= MAX_MESSAGE_CHARS) {
            return UntrustedText.escape(masked);
        }
        int end = MAX_MESSAGE_CHARS;
        if (Character.isHighSurrogate(masked.charAt(end - 1))) {
            end--; // never between the two halves of an emoji
        }
        return UntrustedText.escape(masked.substring(0, end)) + "… (" + (masked.length() - end) + " more characters)";
    }

    /**
     * The cause of {@code error}, or null when its {@code getCause()}, overridden (a cause read from what is closed
     * by now), throws: that threw out of the description of a handler's failure, and the attempt was left unsettled
     * until its lease ended. An Error or a checked exception it throws too, as {@link #messageOf} tells.
     */
    public static @Nullable Throwable causeOf(Throwable error) {
        try {
            return error.getCause();
        } catch (Throwable unreadable) {
            throwIfFatal(unreadable);
            return null;
        }
    }

    /** The stack trace of {@code error}, or none when its {@code getStackTrace()}, overridden, throws. */
    private static StackTraceElement[] stackTraceOf(Throwable error) {
        try {
            return error.getStackTrace();
        } catch (Throwable unreadable) {
            throwIfFatal(unreadable);
            return new StackTraceElement[0];
        }
    }

    /** Whether {@code error}, its causes and its suppressed exceptions are within the log's bounds. */
    private static boolean fitsTheLog(Throwable error, Set<Throwable> seen, int[] budget) {
        int depth = 0;
        for (Throwable t = error; t != null && seen.add(t); t = causeOf(t)) {
            if (++depth > MAX_LOGGED_CAUSES || --budget[0] < 0) {
                return false;
            }
            try {
                String message = t.getMessage();
                t.getLocalizedMessage();
                t.toString(); // logback writes an overriding toString() in place of the class and message
                t.getCause(); // and reads the chain and each stack trace, which a subclass may override to throw
                t.getStackTrace();
                if (message != null && message.length() > MAX_MESSAGE_CHARS) {
                    return false;
                }
            } catch (Throwable unreadable) {
                throwIfFatal(unreadable);
                return false;
            }
            Throwable[] suppressed = t.getSuppressed();
            if (suppressed.length > MAX_LOGGED_SUPPRESSED) {
                return false;
            }
            for (Throwable s : suppressed) {
                if (!seen.contains(s) && !fitsTheLog(s, seen, budget)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A copy of a throwable the log can take: its class and {@linkplain #oneLine cut} message as the message (the
     * secrets of its URLs {@linkplain Secrets#maskUrl masked}, once, before the cut: cut first, a URL the cut went
     * through lost the '@' after its password, and a log layout's mask, finding none, wrote the password's first
     * characters), its stack trace, a copy of its cause and of its first {@link #MAX_LOGGED_SUPPRESSED} suppressed
     * exceptions, at most {@link #MAX_LOGGED_THROWABLES} in all, each throwable once; made only for a throwable that
     * {@link #loggable} finds unfit.
     */
    static final class LoggedCopy extends RuntimeException {

        /** How many causes past those kept are counted for the copy's last line, at most. */
        private static final int MAX_COUNTED_CAUSES = 10_000;

        private LoggedCopy(String message, @Nullable LoggedCopy cause) {
            super(message, cause, true, true);
        }

        static LoggedCopy of(Throwable error) {
            return copy(error, Collections.newSetFromMap(new IdentityHashMap<>()), new int[] {MAX_LOGGED_THROWABLES});
        }

        /** @param budget how many throwables may still be copied, at least 1; counted down */
        private static LoggedCopy copy(Throwable error, Set<Throwable> seen, int[] budget) {
            var chain = new ArrayList<Throwable>();
            int limit = Math.min(MAX_LOGGED_CAUSES, budget[0]);
            Throwable next = error;
            for (; next != null && chain.size() < limit && seen.add(next); next = causeOf(next)) {
                chain.add(next);
            }
            // Counted to a bound: a getCause() that makes a new cause at each call (an adapter over a cyclic chain)
            // never ends, and walking it whole ran the logging thread out of memory.
            int left = 0;
            for (; next != null && left < MAX_COUNTED_CAUSES && seen.add(next); next = causeOf(next)) {
                left++;
            }
            int kept = chain.size();
            budget[0] -= kept;
            LoggedCopy cause = null;
            if (left > 0) {
                cause = leftOut("(" + left + (next != null && left == MAX_COUNTED_CAUSES ? " or more" : " more")
                        + " causes left out of the log)");
            }
            var copies = new LoggedCopy[kept];
            for (int i = kept - 1; i >= 0; i--) {
                Throwable t = chain.get(i);
                String message = messageOf(t);
                // each message masked, a short one too: a copy is made for a log, whose layout may have no mask
                cause = new LoggedCopy(t.getClass().getName()
                        + (message == null ? "" : ": " + oneLineMasked(Secrets.maskUrl(message))), cause);
                cause.setStackTrace(stackTraceOf(t));
                copies[i] = cause;
            }
            for (int i = 0; i < kept; i++) {
                copySuppressed(chain.get(i), copies[i], seen, budget);
            }
            return copies[0];
        }

        private static void copySuppressed(Throwable original, LoggedCopy copy, Set<Throwable> seen, int[] budget) {
            int copied = 0;
            int left = 0;
            for (Throwable s : original.getSuppressed()) {
                if (seen.contains(s)) {
                    continue; // suppressed exceptions that suppress each other, or the error itself: shown once
                }
                if (copied < MAX_LOGGED_SUPPRESSED && budget[0] > 0) {
                    copy.addSuppressed(copy(s, seen, budget));
                    copied++;
                } else {
                    left++;
                }
            }
            if (left > 0) {
                copy.addSuppressed(leftOut("(" + left + " more suppressed left out of the log)"));
            }
        }

        private static LoggedCopy leftOut(String message) {
            var marker = new LoggedCopy(message, null);
            marker.setStackTrace(new StackTraceElement[0]); // where it was made says nothing of the error
            return marker;
        }
    }
}

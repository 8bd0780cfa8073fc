package dev.jobq.cli.context;

import dev.jobq.ConfigException;
import dev.jobq.internal.worker.FailurePolicy;
import dev.jobq.internal.worker.RootCause;
import dev.jobq.spi.LoggableThrowables;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A command's failure as one text for the user: its message, then each cause ({@code "; caused by Type: message"})
 * that says something the text does not say yet (a message it holds whole, not as a piece of a word), with the
 * secrets of its URLs masked ({@link Secrets#maskUrl}).
 * A provider's or a driver's error most often quotes its cause's message, and an SDK's its own cause's: each cause
 * appended as it is said the same failure again, the one refused connection three times in one line. An error that
 * quotes its root cause's message as its reason ({@code "…: Connection refused; check …"}, as the scheduler words a
 * database out of reach) has said why: the causes between, a pool's and a driver's wording of the same reason
 * (Hikari's "Failed to initialize pool: Connection to … refused. Check that …"), are not appended either. Nor is a
 * cause whose message only ends with the message of a cause of its own that the text already quotes: the scheduler quotes
 * H2's "Database may be already in use: …", and the pool's "Failed to initialize pool: Database may be already in
 * use: …" between them said it a second time. Each message is a driver's or an SDK's, from outside: its control
 * characters are written as escapes ({@link UntrustedText#escape}), so a line break or an ESC in it cannot start a
 * line that reads as jobq's own or repaint the terminal; a {@link ConfigException}'s own message, jobq's one problem a
 * line with the values in it escaped already, keeps its lines. Each message, and each cause's {@code toString()},
 * is cut after {@link LoggableThrowables#MAX_MESSAGE_CHARS} characters as a log line's is ({@link
 * LoggableThrowables#oneLine}): a driver's message of a megabyte made a line of a megabyte. A {@code getMessage()}
 * or {@code toString()} that throws is told as {@link LoggableThrowables#messageOf} tells it; an error without a
 * message, or with an empty or blank one, by its class's name (an empty one printed {@code "jobq stats failed: "} and
 * nothing after it).
 */
public final class FailureText {

    private FailureText() {
    }

    /**
     * The text of {@code error} and of those of its first {@link LoggableThrowables#MAX_LOGGED_CAUSES} causes whose
     * message it does not quote, secrets masked, then {@code "; (causes after the first 32 left out)"} when the chain
     * goes on: each cause is compared with each deeper one, and a chain 10,000 deep took a minute, then gave a line of
     * half a million characters.
     */
    public static String of(Throwable error) {
        String own = LoggableThrowables.messageOf(error);
        String masked = Secrets.maskUrl(own != null && !own.isBlank() ? own : error.getClass().getName());
        var text = new StringBuilder(error instanceof ConfigException ? masked : LoggableThrowables.oneLine(masked));
        if (quotesItsRoot(error, text)) {
            return text.toString();
        }
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(error);
        int read = 0;
        Throwable cause = FailurePolicy.causeOf(error);
        for (; cause != null && read < LoggableThrowables.MAX_LOGGED_CAUSES && seen.add(cause);
                cause = FailurePolicy.causeOf(cause)) {
            read++;
            String message = LoggableThrowables.messageOf(cause);
            if (message == null || message.isBlank()
                    || !quotesWhole(text, shown(message)) && !wrapsWhatItSays(cause, text)) {
                text.append("; caused by ").append(LoggableThrowables.oneLine(Secrets.maskUrl(described(cause))));
            }
        }
        if (cause != null && !seen.contains(cause)) {
            text.append("; (causes after the first ").append(LoggableThrowables.MAX_LOGGED_CAUSES).append(" left out)");
        }
        return text.toString();
    }

    /** {@code message} as the text shows it: the secrets of its URLs masked, its control characters escaped. */
    private static String shown(String message) {
        return UntrustedText.escape(Secrets.maskUrl(message));
    }

    /**
     * {@code cause.toString()}, or its class's name and {@link LoggableThrowables#messageOf} when that throws (an
     * Error too); a cause with an empty or blank message by its class's name alone, as the error's own is told:
     * Throwable's {@code toString()} of it ended the line with {@code "caused by java.io.IOException: "} and nothing
     * after it.
     */
    private static String described(Throwable cause) {
        String message = LoggableThrowables.messageOf(cause);
        String name = cause.getClass().getName();
        boolean blank = message == null || message.isBlank();
        try {
            String described = cause.toString();
            return message != null && blank && described.equals(name + ": " + message) ? name : described;
        } catch (Throwable unreadable) {
            // an Error too: a default toString() reads getMessage(), which may throw one (a class its message needs
            // gone); the JVM's own failures, out of memory, go on, as LoggableThrowables.messageOf hands them on
            LoggableThrowables.throwIfFatal(unreadable);
            return name + (blank ? "" : ": " + message);
        }
    }

    /**
     * Whether the message of {@code cause} ends with the message of a cause of its own that {@code text} already
     * holds ({@code "Failed to initialize pool: " + the driver's}): it says that one's failure again, after a few
     * words of its own. Of its first {@link LoggableThrowables#MAX_LOGGED_CAUSES} causes, as {@link #of} reads no more.
     */
    private static boolean wrapsWhatItSays(Throwable cause, CharSequence text) {
        String wrapping = shown(String.valueOf(LoggableThrowables.messageOf(cause)));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(cause);
        int read = 0;
        for (Throwable inner = FailurePolicy.causeOf(cause);
                inner != null && read++ < LoggableThrowables.MAX_LOGGED_CAUSES && seen.add(inner);
                inner = FailurePolicy.causeOf(inner)) {
            String message = LoggableThrowables.messageOf(inner);
            if (message != null && !message.isBlank()) {
                String masked = shown(message);
                if (endsWithWhole(wrapping, masked) && quotesWhole(text, masked)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code wrapping} ends with {@code message} whole, as {@link #quotesWhole} reads it: "after a preset"
     * does not end with a cause's "reset", and was left out as saying that cause's failure again.
     */
    private static boolean endsWithWhole(String wrapping, String message) {
        int at = wrapping.length() - message.length();
        return wrapping.endsWith(message)
                && (at == 0 || !insideEscape(wrapping, at) && !(endsInWord(wrapping, at) && startsWord(message, 0)));
    }

    /** Whether {@code text}, {@code error}'s own, gives the message of its deepest cause as its reason, after ": ". */
    private static boolean quotesItsRoot(Throwable error, CharSequence text) {
        Throwable root = RootCause.of(error).root();
        String message = LoggableThrowables.messageOf(root);
        return root != error && message != null && !message.isBlank()
                && quotesWhole(text, ": " + shown(message));
    }

    /**
     * Whether {@code text} holds {@code message} whole: somewhere that no letter or digit goes on a word of its own at
     * either end, as the separators this text is written with ({@code ": "}, {@code "; "}) and a sentence's
     * punctuation bound a quoted message; a message that begins with {@code ": "} may follow any word. Found anywhere,
     * a cause's {@code "s"} was taken as quoted by {@code "pool closed"} and left out. Both are escaped
     * ({@link UntrustedText#escape}): an escape's letters ({@code \n}, {@code \u001b}) are no word's, so a message
     * quoted right after a line break is quoted (it was appended again), and an {@code "n"} is not quoted by one.
     */
    private static boolean quotesWhole(CharSequence text, String message) {
        String in = text.toString();
        for (int at = in.indexOf(message); at >= 0; at = in.indexOf(message, at + 1)) {
            int end = at + message.length();
            boolean startsWhole = at == 0
                    || !insideEscape(in, at) && !(endsInWord(in, at) && startsWord(message, 0));
            boolean endsWhole = end == in.length()
                    || !insideEscape(in, end) && !(endsInWord(message, message.length()) && startsWord(in, end));
            if (startsWhole && endsWhole) {
                return true;
            }
        }
        return false;
    }

    /** Whether the character of {@code s} at {@code at} is a letter or a digit. */
    private static boolean startsWord(String s, int at) {
        return Character.isLetterOrDigit(s.charAt(at));
    }

    /** Whether the character of {@code s} before {@code end} is a letter or a digit, not the end of an escape. */
    private static boolean endsInWord(String s, int end) {
        return Character.isLetterOrDigit(s.charAt(end - 1)) && !escapeEndsAt(s, end);
    }

    /** Whether {@code s} before {@code end} ends with an escape {@link UntrustedText#escape} writes. */
    private static boolean escapeEndsAt(String s, int end) {
        return end >= 2 && s.charAt(end - 2) == '\\' && "nrt".indexOf(s.charAt(end - 1)) >= 0
                || end >= 6 && isUnicodeEscape(s, end - 6);
    }

    /**
     * Whether {@code at} falls inside an escape of {@code s}, after its backslash and before its end. A backslash and a
     * {@code u} are one only before four hexadecimal digits: a Windows path's backslash before a file's name
     * {@code updates.yaml} is none, and a cause quoted after it, as after any other folder, was said again. A backslash before n, r or t cannot be told from
     * the escape of a line break, a return or a tab, as {@link UntrustedText#escape} writes no backslash as an escape.
     */
    private static boolean insideEscape(String s, int at) {
        if (s.charAt(at - 1) == '\\' && "nrt".indexOf(s.charAt(at)) >= 0) {
            return true;
        }
        for (int start = Math.max(0, at - 5); start <= at - 1; start++) {
            if (isUnicodeEscape(s, start)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a backslash, a {@code u} and four hexadecimal digits start at {@code start} of {@code s}: ASCII ones, as
     * {@link UntrustedText#escape} writes them; {@code Character.digit} took Arabic-Indic digits and fullwidth letters
     * too, and a cause that is only a piece of the word after them was taken as quoted and left out.
     */
    private static boolean isUnicodeEscape(String s, int start) {
        if (start + 6 > s.length() || !s.startsWith("\\u", start)) {
            return false;
        }
        for (int i = start + 2; i < start + 6; i++) {
            if (!HexFormat.isHexDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}

package dev.jobq.spi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Text from a message body (anyone with send rights on the queue wrote it), made safe to repeat in
 * a dead-letter reason, a log line or a terminal: control characters are written as escapes
 * ({@code \n}, {@code \u001b}), so a newline cannot start a forged log line and an ANSI sequence
 * cannot repaint the terminal of whoever reads the dead letters, and so are the line and paragraph
 * separators (U+2028, U+2029: no control characters, but many log viewers, JavaScript consoles and
 * editors break a line there) and the bidirectional controls (overrides, isolates, marks), which
 * reorder what a terminal shows and show nothing; and the length is bounded, so a megabyte of
 * payload is not copied into every line that names it.
 */
public final class UntrustedText {

    /**
     * A word the shell passes on as one argument, as it is written: no ~, which bash expands at the start of a word
     * and after an = ({@code ~weekly}, {@code a=~/x}).
     */
    private static final Pattern SHELL_WORD = Pattern.compile("[A-Za-z0-9_./%+=:,@-]+");

    private UntrustedText() {
    }

    /**
     * {@code text} in double quotes, escaped, cut after {@code maxChars} characters with the length
     * said: {@code "a\nb"}, {@code "aaaa…" (100000 characters)}.
     */
    public static String quote(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return "\"" + escape(text) + "\"";
        }
        return "\"" + escape(text.substring(0, cut(text, maxChars))) + "…\" (" + text.length() + " characters)";
    }

    /**
     * {@code text} in single quotes, escaped, cut after {@code maxChars} characters with the length said, as a
     * refusal repeats a value given to it: {@code 'a\nb'}, {@code 'aaaa…' (100000 characters)}.
     */
    public static String singleQuote(String text, int maxChars) {
        return "'" + escape(text, maxChars) + "'"
                + (text.length() > maxChars ? " (" + text.length() + " characters)" : "");
    }

    /**
     * What {@code refusal} says after {@code value}, {@linkplain #escape escaped}, where it starts with the value
     * single-quoted, raw and whole (as {@link DurationFormat}'s do); else null. After the value said by
     * {@link #singleQuote}, it repeats the value once and cut, the fix whole.
     *
     * @throws NullPointerException when {@code refusal} or {@code value} is null (a null value was read as the text
     *         {@code null}, and found the rest of a refusal of {@code 'null'})
     */
    public static @Nullable String afterQuoted(String refusal, String value) {
        Objects.requireNonNull(refusal, "refusal");
        String quoted = "'" + Objects.requireNonNull(value, "value") + "'";
        return refusal.startsWith(quoted) ? escape(refusal.substring(quoted.length())) : null;
    }

    /** {@code text} {@linkplain #escape escaped}, cut after {@code maxChars} characters with an ellipsis. */
    public static String escape(String text, int maxChars) {
        return text.length() <= maxChars ? escape(text) : escape(text.substring(0, cut(text, maxChars))) + "…";
    }

    /**
     * Where to cut {@code text}, longer than {@code maxChars}, before it is {@linkplain #escape escaped}: before an
     * emoji (a surrogate pair) that the cut would split, whose first half alone is no character (a dead letter's
     * JobqError shows it as {@code \\ud83d}, a log line as '?'). Cut before the escapes are written, it cannot end
     * inside one, and a backslash the text held stays: text already escaped is cut with {@link #wholeEnd}.
     */
    private static int cut(String text, int maxChars) {
        return maxChars > 0 && Character.isHighSurrogate(text.charAt(maxChars - 1))
                && Character.isLowSurrogate(text.charAt(maxChars)) ? maxChars - 1 : maxChars;
    }

    /**
     * Where a cut of {@code text}, already {@linkplain #escape escaped}, before index {@code end} ends so that what it
     * keeps, {@code text.substring(0, wholeEnd(text, end))}, is whole: at {@code end}, or a little before it, never
     * after the first half of an emoji (a high surrogate at {@code end - 1}: alone it is no character, a log line shows
     * '?') nor inside an escape (a backslash and a letter, {@code \n}, {@code \r} or {@code \t}; a backslash, a u and
     * four hex digits): a text of control characters, six characters each once escaped, ended in a backslash, a u and
     * part of a code. A backslash the text held as it was looks the same and is cut before too: a few characters
     * fewer, never half an escape. The result is from {@code end - 6} (or 0) to {@code end}.
     *
     * @param end where the cut would be, from 0 to {@code text.length()}
     */
    public static int wholeEnd(String text, int end) {
        int whole = end > 0 && Character.isHighSurrogate(text.charAt(end - 1)) ? end - 1 : end;
        int backslash = text.lastIndexOf('\\', whole - 1);
        if (backslash >= 0 && backslash + (text.startsWith("\\u", backslash) ? 6 : 2) > whole) {
            return backslash;
        }
        return whole;
    }

    /**
     * {@code text} as the last argument of a command line a message gives to copy ({@code jobq recurring delete NAME},
     * {@code cat FILE}): {@linkplain #escape escaped}, then as it is where the shell passes it on as one argument
     * ({@code digest}, {@code /tmp/payload.json}), else in single quotes ({@code 'daily digest'}, a quote in it written
     * {@code '\''}): unquoted, a space made two arguments of it and a {@code $} or a backtick was expanded. One that
     * starts with {@code -} follows {@code --}, the end of the command's options ({@code -- -weekly}): quotes do not keep
     * a command from reading it as an option. One with a control character is written in bash's {@code $'…'}, whose
     * escapes are this class's ({@code $'a\nb'}; its backslashes and quotes escaped too): in single quotes the
     * escape {@code \n} passed a backslash and an n, which named something else. There a character past U+007F (a C1
     * control, a bidirectional override or mark, a line separator) is written as its UTF-8 bytes
     * ({@code $'\xe2\x80\xae'} for U+202E): bash reads this class's escape of one only in a UTF-8 locale, and in the
     * C locale of a server's shell passed its six characters as they are. {@code $'…'} is bash's (zsh's and ksh93's
     * too), not every POSIX sh's: dash 0.5.12 (Debian 12's {@code /bin/sh}) passes {@code $'a\nb'} as a {@code $} and
     * the text with its backslashes as written; paste such a command into bash.
     */
    public static String shellArgument(String text) {
        String shown = escape(text);
        String word;
        if (!shown.equals(text)) {
            word = "$'" + dollarQuoted(text) + "'";
        } else {
            word = SHELL_WORD.matcher(shown).matches() ? shown : "'" + shown.replace("'", "'\\''") + "'";
        }
        return text.startsWith("-") ? "-- " + word : word;
    }

    /** {@code text} inside bash's {@code $'…'}: escaped, its backslashes and quotes too, past U+007F in UTF-8 bytes. */
    private static String dollarQuoted(String text) {
        var out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || c == '\'') {
                out.append('\\').append(c);
            } else if (c > '\u007f' && needsEscape(c)) {
                for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
                    out.append(String.format("\\x%02x", b & 0xff));
                }
            } else {
                out.append(escape(String.valueOf(c)));
            }
        }
        return out.toString();
    }

    /**
     * {@code text} with its control characters (C0, DEL, C1), the line and paragraph separators
     * (U+2028, U+2029) that a log viewer shows as a line break, and the bidirectional controls that
     * reorder what a terminal shows (Unicode's Bidi_Control: the embeddings and overrides
     * U+202A–U+202E, the isolates U+2066–U+2069, and the marks U+200E, U+200F and U+061C, which
     * give the punctuation beside them a direction) written as escapes; a backslash stays as it is,
     * so what it returns needs no escape (escaping twice is escaping once). Text without them is
     * returned as it is.
     */
    public static String escape(String text) {
        int first = 0;
        while (first < text.length() && !needsEscape(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        var out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * Whether {@link #escape} writes {@code c} as an escape. Called for each character of each line written: text of
     * plain ASCII is decided by one comparison past the C0 controls; U+200E–U+202E is one range, of which all but the
     * spaces and punctuation of U+2010–U+2027 are escaped (the marks, the separators, the embeddings and overrides).
     */
    private static boolean needsEscape(char c) {
        if (c < '\u007f') {
            return c < ' ';
        }
        return c <= '\u009f' || c >= '\u200e' && c <= '\u202e' && (c <= '\u200f' || c >= '\u2028')
                || c >= '\u2066' && c <= '\u2069' || c == '\u061c';
    }
}

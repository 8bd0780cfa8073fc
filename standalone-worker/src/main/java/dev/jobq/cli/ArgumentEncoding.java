package dev.jobq.cli;

import dev.jobq.spi.UntrustedText;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The command line as Java read it: in the encoding of the process's locale ({@code sun.jnu.encoding}, which no
 * {@code -D} option changes). Without a UTF-8 locale (cron, a systemd unit and a bare container set no {@code LANG}:
 * the C locale, ASCII) each byte of a letter beyond ASCII became U+FFFD, and the command went on with that:
 * {@code jobq enqueue 'zoë:greet' --payload '{"name":"Zoë"}'} enqueued a job of type {@code zo\ufffd\ufffd:greet},
 * which no handler takes, with the name lost from its payload, and exited 0.
 */
final class ArgumentEncoding {

    private static final int MAX_SHOWN_CHARS = 200;

    private ArgumentEncoding() {
    }

    /** The encoding this JVM read its command line in. */
    static Charset ofThisProcess() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException unknown) {
            return StandardCharsets.UTF_8; // an encoding Java does not know: nothing to say about it
        }
    }

    /**
     * What is wrong with {@code args}, read in {@code read}: the first argument with U+FFFD in it, where that can only
     * be bytes the locale's encoding could not read, named with the fix; null when there is none, or when they were
     * read in UTF-8 (then a U+FFFD is the user's own).
     */
    static @Nullable String problem(List<String> args, Charset read, Map<String, String> environment) {
        if (read.equals(StandardCharsets.UTF_8)) {
            return null;
        }
        // in ASCII alone, for a locale that reads ASCII ('…' is bytes it cannot show), and as the launcher says it
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.indexOf('\uFFFD') >= 0) {
                boolean cut = arg.length() > MAX_SHOWN_CHARS;
                String shown = UntrustedText.escape(cut ? arg.substring(0, MAX_SHOWN_CHARS) : arg);
                return "argument " + (i + 1) + " of the command line, '" + shown.replace("\uFFFD", "\\ufffd")
                        + (cut ? "..." : "")
                        + "', lost characters: "
                        + "Java read the command line in " + read.name() + ", the encoding of this process's locale ("
                        + locale(environment) + "), and put U+FFFD (\\ufffd) in place of each byte it could not read; "
                        + "nothing was done. Run jobq with a UTF-8 locale, e.g. LC_ALL=C.UTF-8 java -jar jobq.jar ... "
                        + "(systemd: Environment=LC_ALL=C.UTF-8; cron: a line LC_ALL=C.UTF-8 in the crontab)";
            }
        }
        return null;
    }

    /** What sets the locale's encoding: the first of LC_ALL, LC_CTYPE and LANG that is set, as POSIX reads them. */
    private static String locale(Map<String, String> environment) {
        for (String name : List.of("LC_ALL", "LC_CTYPE", "LANG")) {
            String value = environment.get(name);
            if (value != null && !value.isEmpty()) {
                return name + "=" + value;
            }
        }
        return "LC_ALL, LC_CTYPE and LANG unset";
    }
}

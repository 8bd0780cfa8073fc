package dev.jobq.spi;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The one place that decides what of a config value may be shown in an error, a log line, a
 * command's output or an HTTP answer: a secret key's value never, a URL without its password
 * (user information, and parameters such as {@code password=} or {@code token=}). Every message
 * that repeats a config value that may hold a secret goes through here (docs/configuration.md,
 * "Secrets").
 */
public final class Secrets {

    /** What stands for a secret in messages. */
    public static final String MASK = "****";

    /**
     * Key names whose value is a secret: password, passwd, pwd, secret, token, credential(s), private key, API key (as
     * {@code apiKey}, {@code api_key} or, as a YAML key in kebab case, {@code api-key}).
     */
    private static final Pattern SECRET_KEY = Pattern.compile(".*(" + SecretWords.WORDS + ").*");
    /**
     * A parameter's or an H2 setting's name that is a secret's, and its '=': the secret word found ahead, then the name
     * taken whole. Every word of {@link #SECRET_KEY} is one (a key {@code privateKey} was masked, a parameter
     * {@code private_key=} shown), and {@code sslkey}: {@code api-key=} was shown where a header {@code api-key:}
     * ({@link #SECRET_HEADER}) is masked.
     */
    private static final String SECRET_NAME =
            "(?=[A-Za-z0-9_.-]*?(?i:" + SecretWords.WORDS + "|sslkey))"
                    + "[A-Za-z0-9_.-]*+=";
    /**
     * A line break as {@link UntrustedText#escape} writes one ({@code \n}, {@code \r}, and U+2028, U+2029 and U+0085 as
     * a backslash, 'u' and their number), as a failure's text has them once {@link LoggableThrowables#oneLine} made it
     * one line, before the masks after it read it.
     */
    private static final String ESCAPED_BREAK = "\\\\(?:n|r|u2028|u2029|u0085)";
    /**
     * A value quoted with quotes written {@code \"}, as the outcome log writes a '"' of a failure's text inside its
     * quoted {@code error="…"} (a driver's {@code password="s3 cret"}): up to the closing {@code \"}, or where none is,
     * the logfmt value's own closing '"' (kept) or the line's end. A '\' before anything else is the value's.
     */
    private static final String ESCAPED_QUOTED_VALUE =
            "\\\\\"(?:[^\\\\\"\\r\\n]++|\\\\(?!\")[^\\r\\n]?)*+(?:\\\\\"|(?=[\"\\r\\n]|$))";
    /**
     * A piece of a value that stands as a word, up to a blank: a run of what is no punctuation, or of punctuation that
     * does not end the word (a ',' or a '}' before a blank or the end is the Map's, not the value's). A '"' written
     * {@code \"}, as the outcome log's {@code error="…"} writes one, is punctuation whole: the quote that ends a quoted
     * {@code \"password=…\"} is kept with its '\', not left bare to end the logfmt value.
     */
    private static final String WORD_VALUE =
            "(?:[^\\s,.:;)}\\]'\"\\\\]++|\\\\(?!\")|(?:[,.:;)}\\]'\"]++|\\\\\")++(?!\\s|$))";
    /**
     * A parameter of a URL (after ? or &) whose name is a secret's, and its value: up to the next
     * parameter ('&', a ';' in it included, as PostgreSQL's driver reads it, but not one that starts an H2 setting
     * named as a secret's, masked to its own end), or up to punctuation that ends the URL in a sentence
     * ({@code ": refused"}, {@code ", then"}, {@code "; check"}); punctuation before a ';' is the value's, as it was
     * when a ';' ended the value ({@code password=ab.; check} shows no '.').
     * Not up to a '#': a password written raw may have one, and neither PostgreSQL's driver nor H2 ends a
     * value there; a URL's fragment after such a value is masked with it. An H2 setting (after ;) so named, up to
     * the next setting or the line's end (but punctuation that ends it): H2 reads a setting to the next ';', a blank
     * in it included, as an encrypted database's {@code PASSWORD=filepw userpw} has one; in a sentence, more is
     * masked, not less; but a value masked already ({@value #MASK} and a blank, as a message that names a URL masked
     * and goes on is masked again whole, by {@link Settings#problem} or on a log line) ends at its mask, where the
     * first pass ended the secret. One pattern, one pass over a log line, each character read a few times at most:
     * the name found ahead, then taken whole, and a run of punctuation taken whole, then kept unless it ends the line
     * or, after '?' or '&', the word (a lazy value, looking for such an end from each character, read a run of
     * punctuation, or a name, once for each of its characters).
     * <p>And a key so named that stands as a word (at the text's start, after a blank, '{', '(', '[', ',' or a quote,
     * after the ']' of an index, as Spring's {@code app.datasources[0].password=…} has one, or after a line break or a
     * tab written as an escape, as {@link LoggableThrowables#oneLine} writes them: taken with the name, not looked
     * behind for), as a driver words its settings itself: libpq's
     * {@code host=db password=s3cret dbname=jobs}, a Properties' or a Map's {@code {user=jobq, password=s3cret}}, a
     * command line's {@code PGPASSWORD=… --api-key=…}. Its value: a quoted one ({@code password='s3 cret'}) to its
     * closing quote (one written {@code \"} too, as the outcome log's {@code error="…"} has it) and what follows it in
     * the word (a shell's {@code PGPASSWORD='s3'cret}), else up to a blank, punctuation that ends the word kept (the
     * ',' or the closing brace after it in a Map's text); a key with nothing after its '=' ({@code the password=
     * option}) is no secret's.
     */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "([?&]" + SECRET_NAME + ")(?:[^&\\s:,.)'\";]++|[:,.)'\"]++(?=;)"
                    + "|(?:[:,.)'\"]|;(?!" + SECRET_NAME + "))++(?!\\s|$))*+"
                    + "|(;" + SECRET_NAME + ")(?:\\*{4}(?=\\s)|(?:[^;\\r\\n:,.)'\"]++|[:,.)'\"]++(?![\\r\\n]|$))*+)"
                    + "|((?:(?<![^\\s{,(\\[\\]\"'])|\\\\t|" + ESCAPED_BREAK + ")(?=[A-Za-z0-9_.-]*+=)"
                    + SECRET_NAME + ")"
                    + "(?:(?:" + quotedValue('\'') + "|" + quotedValue('"') + "|" + ESCAPED_QUOTED_VALUE + ")"
                    + WORD_VALUE + "*+|" + WORD_VALUE + "++)");
    /**
     * An HTTP header on a line of its own whose name is a secret's ({@code x-amz-security-token:…}, as
     * the canonical request an SDK or a server echoes on a signature mismatch has it), and its value.
     * Only a hyphenated name: a key of jobq's config at the start of a problem line is no header. The name's secret
     * word, each of {@link #SECRET_KEY}'s, is found ahead from the name's start ({@code api-key:} and
     * {@code private-key:} were looked for after their '-', and shown) and the name then taken whole: a long line of no
     * header is read a few times, not once for each such word in it. A line so made one line counts its escaped line
     * breaks ({@link #ESCAPED_BREAK}): a header after one starts a line (the break kept with its name: taken, not
     * looked behind for at each character), and its value ends at the next (a failure's message, escaped before the
     * log's mask or {@code jobq dead-letters} read it, showed the token).
     */
    private static final Pattern SECRET_HEADER = Pattern.compile(
            "(?m)((?:^|" + ESCAPED_BREAK + ")[ \\t]*(?=[A-Za-z0-9_]*+-)"
                    + "(?=[A-Za-z0-9_-]*?(?i:" + SecretWords.WORDS + "))"
                    + "[A-Za-z0-9_-]*+[ \\t]*:[ \\t]*)(?!" + ESCAPED_BREAK + ")\\S"
                    + "(?:[^\\r\\n\\\\]++|\\\\(?!n|r|u2028|u2029|u0085))*+");

    /** A value that is one URL and nothing else: a scheme ({@code postgresql}, {@code jdbc:postgresql}), no blank. */
    private static final Pattern ONE_URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.:-]*://\\S*");

    /** What follows a host's colon: its port, and in a URL of several hosts, a comma and the next. */
    private static final Pattern PORT = Pattern.compile("\\d+(,.*)?");
    private static final Pattern ONE_PORT = Pattern.compile("\\d+");

    private Secrets() {
    }

    /** Whether the value of a config key of this name is a secret (case-insensitive). */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * Whether the value of {@code key} in the section named {@code section} (null at the top) is a secret: its own name
     * says so, or its name with the section's does ({@code api: {key: …}}, Spring's {@code api.key}, as
     * {@code api-key}).
     */
    public static boolean isSecretKey(@Nullable String section, String key) {
        return isSecretKey(key) || section != null && isSecretKey(section + "-" + key);
    }

    /**
     * Whether {@code text}, stripped, is one URL and nothing else, which {@link #maskUrl} shows without its password:
     * a value that only holds one (key=value lines, as a .properties or an environment file has them beside their
     * passwords) may not be shown so.
     */
    public static boolean isOneUrl(String text) {
        return ONE_URL.matcher(text.strip()).matches();
    }

    /**
     * {@code url} as it may be shown: the password of its user information (or, without a colon,
     * the whole user information, which may be a token) and the values of its secret parameters
     * ({@code password=}, {@code sslpassword=}, {@code token=}, {@code X-Amz-Security-Token=}, …;
     * after {@code ?}, {@code &} or {@code ;}) become {@value #MASK}. Anything else is kept, so the
     * user still sees which URL is meant. In a longer text (a library's error message) every URL
     * is masked so, and so is the value of a secret header on a line of its own
     * ({@code x-amz-security-token:…}) and of a secret key that stands as a word, as a driver words its settings
     * ({@code host=db password=…}, {@code {user=jobq, password=…}}); text without a URL passes with only its secret
     * parameters, keys and headers masked. Where the URL cannot tell a raw password's '/' and '@' from a path's (an '@' in the
     * next path segment, before any '?' or '#', after a user information or a single port), more is masked, not less.
     */
    public static String maskUrl(String url) {
        // each secret parameter and header is named with a secret word, and each parameter has its '=': a text with
        // no such word (most log lines, the CLI's outcome line of each job) is not read for one. Looking for a key
        // that stands as a word read every word of a text with an '=' in it, three times the cost of the whole mask.
        boolean named = SecretWords.mayBeIn(url);
        String text = !named || url.indexOf('=') < 0 ? url : secretParameters(url).replaceAll(
                m -> Matcher.quoteReplacement(
                        (m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3)) + MASK));
        if (named) {
            text = secretHeaders(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        }
        var out = new StringBuilder(text.length());
        int done = 0;
        // where the last look for an '@' after a URL met one or a blank: the next URL's look, from further on, that
        // starts before it meets it too. Each URL looking to the first blank after it read a long word over and over.
        int stop = -1;
        for (int scheme = text.indexOf("://"); scheme >= 0; scheme = text.indexOf("://", done)) {
            int start = scheme + 3;
            int end = start;
            // Up to the path only, not to a '?', '#' or ';': a password written raw often has one, and looking
            // for the '@' only before it showed such a password whole. An '@' in the path or after it is no user's.
            while (end < text.length() && text.charAt(end) != '/' && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            int at = lastAt(text, start, end);
            if (at < start && rawPasswordWithSlash(text.substring(start, end))) {
                // 'user:pa/ss@host/path': the '/' was the password's, not the path's. The host is what follows the
                // first '@' after it, up to its own path: the user information ends at the last '@' before that.
                if (stop < end) {
                    stop = atOrBlank(text, end);
                }
                if (stop < text.length() && text.charAt(stop) == '@') {
                    end = stop;
                    while (end < text.length() && text.charAt(end) != '/' && !Character.isWhitespace(text.charAt(end))) {
                        end++;
                    }
                    at = lastAt(text, start, end);
                }
            } else if (at < start && onePort(text.substring(start, end)) && atInNextSegment(text, end)) {
                // 'u:12/34@db': an all-digit start of the password reads as a port, and the URL cannot tell it from
                // a host's port with an '@' in the first path segment ('host:8080/user@example.com'): masked.
                end = segmentEnd(text, end + 1);
                at = lastAt(text, start, end);
            }
            // 'user:p@s/s@db/x': an '@' in the next path segment too (before any '?' or '#') may be the one that ends the
            // user information, the password's '/' and '@' read as the host's end and the path. The URL cannot tell
            // which: masked up to the last, the host after it still shown.
            while (at >= start && atInNextSegment(text, end)) {
                end = segmentEnd(text, end + 1);
                at = lastAt(text, start, end);
            }
            out.append(text, done, start);
            if (at >= start) {
                String userInfo = text.substring(start, at);
                int colon = userInfo.indexOf(':');
                out.append(colon < 0 ? MASK : userInfo.substring(0, colon + 1) + MASK);
                out.append(text, at, end);
            } else {
                out.append(text, start, end);
            }
            done = end;
        }
        return out.append(text, done, text.length()).toString();
    }

    /**
     * Whether a URL's text up to its first '/' ({@code user:pa} of {@code user:pa/ss@host}) is a user and the start
     * of a password written raw: it has a colon that no port follows, as {@code host:8080}, {@code [::1]:9324} and
     * PostgreSQL's {@code db1:5432,db2:5432} have one.
     */
    private static boolean rawPasswordWithSlash(String beforeSlash) {
        String host = beforeSlash.startsWith("[") && beforeSlash.indexOf(']') > 0
                ? beforeSlash.substring(beforeSlash.indexOf(']') + 1) : beforeSlash;
        int colon = host.indexOf(':');
        return colon >= 0 && !PORT.matcher(host.substring(colon + 1)).matches();
    }

    /** Where the path segment from {@code from} ends: at the next '/', whitespace or the text's end. */
    private static int segmentEnd(String text, int from) {
        int end = from;
        while (end < text.length() && text.charAt(end) != '/' && !Character.isWhitespace(text.charAt(end))) {
            end++;
        }
        return end;
    }

    /**
     * Whether the path segment after the '/' at {@code slash} has an '@' before any '?' or '#' (after which it is a
     * parameter's or a fragment's): the '@' that may end a user information with a '/' in its password.
     */
    private static boolean atInNextSegment(String text, int slash) {
        if (slash >= text.length() || text.charAt(slash) != '/') {
            return false;
        }
        for (int i = slash + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '@') {
                return true;
            }
            if (c == '/' || c == '?' || c == '#' || Character.isWhitespace(c)) {
                return false;
            }
        }
        return false;
    }

    /** Whether a URL's text up to its first '/' is a host and a single port ({@code u:12} of {@code u:12/34@db}). */
    private static boolean onePort(String beforeSlash) {
        String host = beforeSlash.startsWith("[") && beforeSlash.indexOf(']') > 0
                ? beforeSlash.substring(beforeSlash.indexOf(']') + 1) : beforeSlash;
        int colon = host.indexOf(':');
        return colon >= 0 && ONE_PORT.matcher(host.substring(colon + 1)).matches();
    }

    /**
     * Where the last '@' from {@code from} to before {@code to} is, the URL's own, or -1. Not
     * {@code lastIndexOf('@', to - 1)}: with no '@' in the URL it read back to the text's start, once for each URL,
     * and a driver's message of 2 MB of links took minutes to mask.
     */
    private static int lastAt(String text, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (text.charAt(i) == '@') {
                return i;
            }
        }
        return -1;
    }

    /** Where the first '@' or whitespace from {@code from} is, or the text's end. */
    private static int atOrBlank(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) != '@' && !Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * A value quoted with {@code quote}, as libpq reads one ({@code password='s3 cret'}, a '\' before a quote or a '\'
     * its own): up to the closing quote or, where none is, the line's end, so it is always found and a text of many
     * quotes not closed is read once.
     */
    private static String quotedValue(char quote) {
        return quote + "(?:[^" + quote + "\\\\\\r\\n]++|\\\\[^\\r\\n]?)*+(?:" + quote + "|(?=[\\r\\n]|$))";
    }

    /** The secret parameters of {@code text} and their values, to be masked (group 1, 2 or 3 is the name and '='). */
    static Matcher secretParameters(CharSequence text) {
        return SECRET_PARAMETER.matcher(text);
    }

    /**
     * The secret headers on lines of their own in {@code text} and their values, to be masked (group 1 is the name, with
     * the escaped line break before it).
     */
    static Matcher secretHeaders(CharSequence text) {
        return SECRET_HEADER.matcher(text);
    }

    /**
     * {@code text} with every occurrence of {@code secret} replaced by {@value #MASK}: for a message
     * of a library (a driver, a pool) that may repeat a password it was given. A null or empty
     * secret leaves the text as it is.
     */
    public static String without(String text, @Nullable String secret) {
        return secret == null || secret.isEmpty() ? text : text.replace(secret, MASK);
    }
}

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

    /** Key names whose value is a secret: password, passwd, pwd, secret, token, credential(s), private key. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            ".*(password|passwd|pwd|secret|token|credential|privatekey|private_key|apikey|api_key).*");
    /** A parameter of a URL (after ?, & or ;) whose name is a secret's, and its value. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "([?&;][A-Za-z0-9_.-]*(?i:password|passwd|pwd|secret|token|credential|sslkey|apikey|api_key)"
                    + "[A-Za-z0-9_.-]*=)[^&;#\\s]*");

    private Secrets() {
    }

    /** Whether the value of a config key of this name is a secret (case-insensitive). */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * {@code url} as it may be shown: the password of its user information (or, without a colon,
     * the whole user information, which may be a token) and the values of its secret parameters
     * ({@code password=}, {@code sslpassword=}, {@code token=}, {@code X-Amz-Security-Token=}, …;
     * after {@code ?}, {@code &} or {@code ;}) become {@value #MASK}. Anything else is kept, so the
     * user still sees which URL is meant. In a longer text (a library's error message) every URL
     * is masked so; text without a URL passes with only its secret parameters masked.
     */
    public static String maskUrl(String url) {
        String text = SECRET_PARAMETER.matcher(url).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        var out = new StringBuilder(text.length());
        int done = 0;
        for (int scheme = text.indexOf("://"); scheme >= 0; scheme = text.indexOf("://", done)) {
            int start = scheme + 3;
            int end = start;
            while (end < text.length() && "/?#;".indexOf(text.charAt(end)) < 0
                    && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            int at = text.lastIndexOf('@', end - 1);
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
     * {@code text} with every occurrence of {@code secret} replaced by {@value #MASK}: for a message
     * of a library (a driver, a pool) that may repeat a password it was given. A null or empty
     * secret leaves the text as it is.
     */
    public static String without(String text, @Nullable String secret) {
        return secret == null || secret.isEmpty() ? text : text.replace(secret, MASK);
    }
}

package dev.jobq.spi;

import dev.jobq.ConfigException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One section of the config file, read key by key. Every getter records a problem (with the key's
 * full path, the bad value and what is expected) instead of throwing, so that all the problems of a
 * file are reported together; {@link #throwIfInvalid()} then throws them as one
 * {@link ConfigException}. Keys never read count as unknown in {@link #checkNoUnknownKeys()}.
 *
 * <p>Values are already environment-substituted. Sections of one file share one problem list.
 * Not thread-safe; read it on the thread that loads the config.
 */
public final class Settings {

    /** The characters of a refused value a problem shows; the rest is cut. */
    private static final int VALUE_PREVIEW_CHARS = 80;
    /**
     * The characters of {@link DurationFormat}'s refusal after the value a problem shows: its own words are shorter,
     * a negative one's example repeats the value.
     */
    private static final int DURATION_REFUSAL_CHARS = 200;
    /**
     * A whole number written with digit separators ({@code 1_000}, {@code 1,000}, {@code 1 000}). Possessive, as
     * digits and separators are told apart without going back: {@code ([_, ]\d+)+} recursed once a separator, and
     * {@code 1_1_…} of 10,000 characters ended the config's reading with a StackOverflowError.
     */
    private static final Pattern DIGIT_GROUPS = Pattern.compile("[+-]?\\d++(?:[_, ]\\d++)++");
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    /** What a section's keys written as one value hold: a '=' or ':' between key and value, or a blank between lines. */
    private static final Pattern KEYS_AS_TEXT = Pattern.compile("[=:\\s]");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?",
            Pattern.CASE_INSENSITIVE);

    private final String source;
    private final String path;
    private final Map<String, Object> values;
    private final List<String> problems;
    private final Set<String> read = new LinkedHashSet<>();

    private Settings(String source, String path, Map<String, ?> values, List<String> problems) {
        this.source = source;
        this.path = path;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.problems = problems;
    }

    /** A root section read from {@code source} (a file name, or "builder") at {@code path}. */
    public static Settings of(String source, String path, Map<String, ?> values) {
        return new Settings(source, path, values, new ArrayList<>());
    }

    /** Settings with no values, for providers built in code with their defaults. */
    public static Settings empty(String path) {
        return of("builder", path, Map.of());
    }

    /** A sibling section that reports into the same problem list. */
    public Settings sibling(String path, Map<String, ?> values) {
        return new Settings(source, path, values, problems);
    }

    /**
     * A copy of this section with {@code key} set to {@code value} (an environment override laid over
     * the file), reporting into the same problem list; keys read so far count as read in the copy.
     */
    public Settings with(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        var settings = new Settings(source, path, copy, problems);
        settings.read.addAll(read);
        return settings;
    }

    /** The nested section under {@code key}, empty when absent. */
    public Settings section(String key) {
        Object value = take(key);
        if (value == null) {
            return new Settings(source, pathOf(key), Map.of(), problems);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
            return new Settings(source, pathOf(key), copy, problems);
        }
        if (pathOf(key).equals("scheduler") && !(value instanceof List<?>)
                && String.valueOf(value).strip().regionMatches(true, 0, "jdbc:", 0, "jdbc:".length())) {
            // the scheduler's database written as the section (scheduler: jdbc:h2:file:./data/jobq) was told to write
            // key: value lines, not which key the URL is; not repeated, as the user has it and it may hold a password
            problem(key, "must be a section of keys, got a JDBC URL (not repeated here: it may hold a password); "
                    + "write it on the line below " + key + ":, indented, as the scheduler's database: 'jdbcUrl: "
                    + "jdbc:…'");
        } else if (!(value instanceof List<?>) && KEYS_AS_TEXT.matcher(String.valueOf(value).strip()).find()
                && !Secrets.isOneUrl(String.valueOf(value)) && !isDuration(value)) {
            // keys written key=value (.properties), key:value or folded onto one line read as one value, their
            // passwords in it: masking a URL in it hides none of them; a wait (1m 30s) is shown with its advice
            problem(key, "must be a section of keys, got a single value (not repeated here: text of key=value, "
                    + "key:value or several words may hold a password); write its keys on the lines below " + key
                    + ":, indented, each as 'key: value', with a blank after the ':'");
        } else {
            problem(key, "must be a section of keys, got " + shownValue(shown(value, key)) + "; "
                    + sectionAdvice(key, value));
        }
        return new Settings(source, pathOf(key), Map.of(), problems);
    }

    /**
     * How to write a section given as a single value: {@code provider: sqs} (the shorthand of a queue's
     * provider, as other queues name their connection) is {@code provider: {type: sqs}}, {@code backoff:
     * exponential} (BullMQ's string form) {@code backoff: {type: exponential}}, {@code backoff: 5s} and {@code
     * backoff: [5s, 1m]} the fixed and list policies with those waits, and {@code scheduler: true}
     * {@code scheduler: {enabled: true}}; {@code scheduler: false}, meant as no scheduler, is the section left out.
     */
    private String sectionAdvice(String key, Object value) {
        String at = pathOf(key);
        // cut where repeated, as the refusal before it is: a 100,000-character type name was written out twice
        String written = UntrustedText.escape(String.valueOf(value), VALUE_PREVIEW_CHARS);
        boolean providerSection = at.equals("provider") || at.equals("queues." + key);
        // only for a value that can be a type's name: not a URL, nor an empty value
        boolean typeName = !(value instanceof List<?>) && TYPE_NAME.matcher(String.valueOf(value)).matches();
        if (providerSection && typeName) {
            return "write the provider as its type: " + key + ": {type: " + written + "}";
        }
        if (at.equals("worker.backoff") && !(value instanceof List<?>) && isDuration(value)) {
            return "write the same wait after every attempt as backoff: {type: fixed, delay: " + written + "}";
        }
        if (at.equals("worker.backoff") && value instanceof List<?> list && !list.isEmpty()
                && list.stream().allMatch(Settings::isDuration)) {
            return "write a wait for each attempt as backoff: {type: list, delays: " + written + "}";
        }
        if (at.equals("worker.backoff") && typeName) {
            return "write the policy as its type: backoff: {type: " + written + "}";
        }
        String choice = String.valueOf(value).strip().toLowerCase(Locale.ROOT);
        if (at.equals("scheduler") && List.of("true", "yes", "on", "1").contains(choice)) {
            return "write scheduler: {enabled: true}";
        }
        if (at.equals("scheduler") && List.of("false", "no", "off", "0").contains(choice)) {
            return "for no scheduler leave scheduler: out (scheduler: {enabled: false} keeps one that another process "
                    + "fires)";
        }
        return "write its keys on the lines below " + key + ":, indented";
    }

    /**
     * A value written where a section or a single value is wanted, as a problem repeats it: a section or a list as
     * written out ({@code [{type=jdbc}, {password=****}]}), the value of each key in it named like a secret masked, as
     * that key's own is: a section's keys written as a list ({@code - password: …}), or nested under a key that wants
     * one value, showed the password. So is a key named so with the section it is in ({@code api: {key: …}}, as
     * Spring's {@code api.key}): only a key's own name was looked at, and the API key shown. {@code section} is the key
     * the value is written under ({@code api} of {@code api: [{key: …}]}, whose key was shown where only the keys
     * inside the value were taken for sections).
     */
    private static String shown(@Nullable Object value, String section) {
        if (value instanceof Map<?, ?> map) {
            var out = new StringJoiner(", ", "{", "}");
            map.forEach((key, item) -> out.add(key + "="
                    + (Secrets.isSecretKey(section, String.valueOf(key)) ? Secrets.MASK
                    : shown(item, String.valueOf(key)))));
            return out.toString();
        }
        if (value instanceof List<?> list) {
            var out = new StringJoiner(", ", "[", "]");
            list.forEach(item -> out.add(shown(item, section)));
            return out.toString();
        }
        return String.valueOf(value);
    }

    /** Whether {@code value} reads as a duration ({@code 5s}, {@code PT5S}), as a backoff's wait. */
    private static boolean isDuration(@Nullable Object value) {
        try {
            DurationFormat.parse(String.valueOf(value).strip());
            return value != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public String path() {
        return path;
    }

    public String source() {
        return source;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The raw keys of this section, in file order. */
    public Set<String> keys() {
        return values.keySet();
    }

    public @Nullable String string(String key) {
        Object value = take(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            problem(key, "must be a single value, got " + (isSecret(key) ? Secrets.MASK
                    : shownUnquoted(shown(value, key), "characters")));
            return null;
        }
        String text = String.valueOf(value);
        return text.isEmpty() ? null : text;
    }

    public String string(String key, String defaultValue) {
        String value = string(key);
        return value == null ? defaultValue : value;
    }

    /** A required value; records "is required" with {@code hint} (how to set it) when absent. */
    public String requireString(String key, String hint) {
        String value = string(key);
        if (value == null) {
            problem(key, "is required; " + hint);
            return "";
        }
        return value;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Object value = typed(key);
        if (value == null) {
            return defaultValue;
        }
        BigInteger parsed; // YAML gives a BigInteger past a long, whose longValue() would keep only the low bits
        try {
            if (value instanceof Double || value instanceof Float) {
                throw new NumberFormatException();
            }
            parsed = new BigInteger(String.valueOf(value).strip());
        } catch (NumberFormatException e) {
            String text = String.valueOf(value);
            problem(key, "must be a whole number, got " + shownValue(text)
                    + (DIGIT_GROUPS.matcher(text.strip()).matches() ? "; write it without digit separators, e.g. "
                            + UntrustedText.escape(text.replaceAll("[^0-9+-]", ""), VALUE_PREVIEW_CHARS) : ""));
            return defaultValue;
        }
        if (parsed.compareTo(BigInteger.valueOf(min)) < 0) {
            problem(key, "must be ≥ " + min + ", got " + shownNumber(parsed));
            return defaultValue;
        }
        if (parsed.compareTo(BigInteger.valueOf(max)) > 0) {
            problem(key, "must be ≤ " + max + ", got " + shownNumber(parsed));
            return defaultValue;
        }
        return parsed.intValue();
    }

    public boolean bool(String key, boolean defaultValue) {
        Object value = typed(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = String.valueOf(value).strip().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> {
                problem(key, "must be true or false, got " + shownValue(value));
                yield defaultValue;
            }
        };
    }

    public @Nullable Duration duration(String key) {
        return duration(key, DurationFormat::parse);
    }

    private @Nullable Duration duration(String key, Function<String, Duration> parse) {
        Object value = typed(key);
        if (value == null) {
            return null;
        }
        String text = String.valueOf(value);
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            problem(key, shownRefusal(String.valueOf(e.getMessage()), text));
            return null;
        }
    }

    /**
     * {@link DurationFormat}'s {@code refusal} of {@code value} as a problem says it: its refusal starts with the
     * value whole, and a negative one's example repeats it, so a 100,000-character value made a problem twice as
     * long. The value is said once, as {@link #shownValue} says it, and the rest {@linkplain UntrustedText#escape
     * escaped} and cut after {@value #DURATION_REFUSAL_CHARS} characters (as Jackson's are); a refusal that does not
     * start with the value single-quoted is returned as it is. Public for a value read beside the file (an
     * environment variable), whose refusal then reads as the file's.
     */
    public static String shownRefusal(String refusal, String value) {
        String after = UntrustedText.afterQuoted(refusal, value);
        return after == null ? refusal : shownValue(value) + UntrustedText.escape(after, DURATION_REFUSAL_CHARS);
    }

    public Duration duration(String key, Duration defaultValue) {
        Duration value = duration(key);
        return value == null ? defaultValue : value;
    }

    /**
     * A duration within [min, max]. One with units too large to hold ({@code 99999999999999999999s}) is refused as
     * beyond {@code max}, as a whole number too large and the environment's {@code QUEUE_SHUTDOWN_TIMEOUT} are, not as
     * "too large for a duration", which did not say how large it may be.
     */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        return duration(key, defaultValue, min, max, text -> DurationFormat.parseWithin(text, min, max));
    }

    /**
     * As {@link #duration(String, Duration, Duration, Duration)}, for a key counted in whole multiples of {@code step}
     * (SQS's seconds): a bare number is offered only such forms ({@link DurationFormat#parseWithin(String, Duration,
     * Duration, Duration)}). Whether the value is one is the caller's to check, in its own words.
     *
     * @throws IllegalArgumentException when {@code step} is 0 or negative, whether the key is set or not: the
     *         caller's mistake, not a problem of the config file
     * @throws NullPointerException when {@code step} is null
     */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max, Duration step) {
        DurationFormat.positiveStep(step);
        return duration(key, defaultValue, min, max, text -> DurationFormat.parseWithin(text, min, max, step));
    }

    private Duration duration(String key, Duration defaultValue, Duration min, Duration max,
                              Function<String, Duration> parse) {
        Object written = typed(key);
        if (written != null && DurationFormat.isTooLarge(String.valueOf(written))) {
            problem(key, "must be ≤ " + DurationFormat.format(max) + ", got "
                    + shownUnquoted(String.valueOf(written).strip(), "characters"));
            return defaultValue;
        }
        Duration value = duration(key, parse);
        if (value == null) {
            return defaultValue;
        }
        if (value.compareTo(min) < 0) {
            // min exact: worker.backoff.max's is base, which may be finer than a millisecond (PT10.0005S, not 10s)
            problem(key, "must be ≥ " + DurationFormat.formatExact(min) + ", got " + DurationFormat.formatExact(value));
            return defaultValue;
        }
        if (value.compareTo(max) > 0) {
            problem(key, "must be ≤ " + DurationFormat.format(max) + ", got " + DurationFormat.formatExact(value));
            return defaultValue;
        }
        return value;
    }

    /**
     * A size in bytes: a number, or with a unit {@code KiB}, {@code MiB}, {@code GiB} (also {@code KB},
     * {@code MB}, {@code GB}).
     */
    public long bytes(String key, long defaultValue, long min, long max) {
        Object value = typed(key);
        if (value == null) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(String.valueOf(value).strip());
        if (!m.matches()) {
            problem(key, "must be a size such as 262144, 256KiB or 1MiB, got " + shownValue(value));
            return defaultValue;
        }
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "kb", "kib" -> 1024L;
            case "mb", "mib" -> 1024L * 1024;
            case "gb", "gib" -> 1024L * 1024 * 1024;
            default -> 1;
        };
        String range = "must be between " + min + " and " + max + " bytes, got ";
        long size;
        try {
            size = Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException tooLargeForALong) {
            problem(key, range + shownValue(value));
            return defaultValue;
        }
        if (size < min || size > max) {
            problem(key, range + size);
            return defaultValue;
        }
        return size;
    }

    /**
     * A refused value as a problem names it: quoted, {@linkplain UntrustedText#escape escaped}, cut after
     * {@value #VALUE_PREVIEW_CHARS} characters with its length said ({@code 'aaaa…' (100000 characters)}). Written
     * whole, a 100,000-character value made a 100,000-character problem. Masked before it is cut, as {@link #problem}
     * masks: a URL cut before its '@' is no URL {@link Secrets#maskUrl} finds a password in. Public for a value read
     * beside the file (an environment variable), whose problem then names it as the file's.
     */
    public static String shownValue(Object value) {
        return UntrustedText.singleQuote(Secrets.maskUrl(String.valueOf(value)), VALUE_PREVIEW_CHARS);
    }

    /** A whole number out of range as a problem names it: cut as {@link #shownValue} cuts, its digits counted. */
    private static String shownNumber(BigInteger number) {
        return shownUnquoted(number.toString(), "digits");
    }

    /**
     * A value a problem names without quotes (a number, a duration too large, a list): masked, escaped and cut as
     * {@link #shownValue} does, its length said in {@code counted} ({@code digits}, {@code characters}):
     * {@code https://sqs.us-east-1.amazonaws.com/123456789012/xxxx… (100049 characters)}. Public for a provider's
     * problem that names a value in its sentence (a queue's URL, a region), which then reads as the core's.
     */
    public static String shownUnquoted(String text, String counted) {
        String masked = Secrets.maskUrl(text);
        return masked.length() <= VALUE_PREVIEW_CHARS ? UntrustedText.escape(masked)
                : UntrustedText.escape(masked, VALUE_PREVIEW_CHARS) + " (" + masked.length() + " " + counted + ")";
    }

    /** One of an enum's constants, case-insensitive, with {@code -} read as {@code _}. */
    public <E extends Enum<E>> E choice(String key, Class<E> type, E defaultValue) {
        String value = string(key);
        if (value == null) {
            return defaultValue;
        }
        String wanted = value.strip().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        problem(key, "must be one of " + String.join(", ", names) + ", got " + shownValue(value));
        return defaultValue;
    }

    /**
     * A list of strings ({@code [a, b]}, or one comma-separated string). An empty item ({@code -} alone, a
     * variable left unset) is left out, as an empty part of the comma-separated form is. A section of keys
     * ({@code {a, b}}) is a problem, and gives {@code defaultValue}.
     */
    public List<String> strings(String key, List<String> defaultValue) {
        Object value = take(key);
        if (value == null || isSectionForList(key, value)) {
            return defaultValue;
        }
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item != null && !String.valueOf(item).isBlank()) {
                    out.add(String.valueOf(item).strip());
                }
            }
        } else {
            for (String part : String.valueOf(value).split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * A list of strings as {@link #strings} reads it, but with an empty item kept, as "", where it stands: for a
     * list whose positions count ({@code backoff.delays}), where leaving it out would move every later item. An
     * empty value as a whole ({@code ''}, a variable left unset, or blanks alone: one read from an empty file) is no
     * list: {@code defaultValue}; a section of keys is a problem, and gives it too.
     */
    public List<String> items(String key, List<String> defaultValue) {
        Object value = take(key);
        if (value == null || !(value instanceof List<?>) && String.valueOf(value).isBlank()
                || isSectionForList(key, value)) {
            return defaultValue;
        }
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                out.add(item == null ? "" : String.valueOf(item).strip());
            }
        } else {
            for (String part : String.valueOf(value).split(",", -1)) {
                out.add(part.strip());
            }
        }
        return List.copyOf(out);
    }

    /**
     * Whether {@code value}, of a key that wants a list, is a section of keys instead, recorded as a problem: braces
     * written for brackets ({@code {a, b}}, YAML's section of keys a and b), or items indented without {@code - }.
     * Read as one comma-separated string, it gave the items '{a=null' and 'b=null}'. A key's value ({@code {5s: 1m}},
     * a colon for a comma) is an item of the list advised too, which is not to lose it. The keys of a secret's key
     * are not shown. An empty section ({@code {}}) gives {@code defaultValue} as an empty list does, with no problem
     * recorded here: the key's reader says what an empty list is.
     */
    private boolean isSectionForList(String key, Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return false;
        }
        if (map.isEmpty()) {
            return true; // {} is the empty list's problem, said by the key's reader: "write []" was then refused
        }
        List<String> written = new ArrayList<>();
        List<String> items = new ArrayList<>();
        map.forEach((item, itsValue) -> {
            // as shown() writes a section: a key named like a secret has its value masked, at any depth
            String shownValue = Secrets.isSecretKey(key, String.valueOf(item)) ? Secrets.MASK
                    : shown(itsValue, String.valueOf(item));
            written.add(item + (itsValue == null ? "" : ": " + shownValue));
            items.add(String.valueOf(item));
            if (itsValue != null) {
                items.add(shownValue);
            }
        });
        boolean secret = isSecret(key);
        problem(key, "must be a list, got a section of keys" + (secret ? "" : " (" + String.join(", ", written) + ")")
                + "; write [" + (secret ? "…" : String.join(", ", items)) + "], in square brackets, or each item on a "
                + "line of its own after '- '");
        return true;
    }

    /**
     * Records a problem with the key's full path. A problem already recorded is not listed again: a key
     * read by the core and by a factory ({@code scheduler.pollInterval}) is one problem, not two. A URL in
     * {@code message} (a bad value that is one) is shown as {@link Secrets#maskUrl} shows it, and a control
     * character (a newline in a value read from a file into a variable) {@linkplain UntrustedText#escape escaped},
     * so that each problem stays on its own line.
     */
    public void problem(String key, String message) {
        record(pathOf(key) + ": " + Secrets.maskUrl(message));
    }

    /** Records {@code problem}, a control character in it escaped, unless it is recorded already. */
    private void record(String problem) {
        String line = UntrustedText.escape(problem);
        if (!problems.contains(line)) {
            problems.add(line);
        }
    }

    /**
     * Records every key of this section that no getter asked for as unknown, listing the known ones,
     * led by the one it most likely meant (another case, or a letter or two off), or for a dotted key
     * whose first part is known ({@code worker.concurrency}) how to nest it.
     */
    public void checkNoUnknownKeys() {
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                String known = read.isEmpty() ? "this section takes no keys" : "known keys here: " + String.join(", ", read);
                if (key.indexOf('=') > 0) {
                    // a .properties or environment file's line (DB_PASSWORD=…), a ': ' in its value, read as a key:
                    // the key holds the value, and the line is not repeated, as a file of such lines is not
                    record((path.isEmpty() ? "" : path + ": ") + "a key written key=value (not repeated here: it may "
                            + "hold a password) is unknown, read as a key for the ':' after it; write each key as "
                            + "'key: value', with a blank after the ':', on its own line (" + known + ")");
                    continue;
                }
                String meant = closestKnown(key);
                String suggestion = meant == null ? "" : "; did you mean " + meant + "?";
                int dot = key.indexOf('.');
                if (meant == null && dot > 0 && dot < key.length() - 1 && read.contains(key.substring(0, dot))) {
                    // as Spring reads YAML, worker.concurrency: 10 at the top; here its problem read as if
                    // concurrency were not a key of worker:
                    suggestion = ": a key with a dot is not a path here; write " + key.substring(dot + 1)
                            + ": on its own line under " + key.substring(0, dot) + ":, indented";
                }
                problem(key, "unknown key" + suggestion + " (" + known + ")");
            }
        }
    }

    private @Nullable String closestKnown(String key) {
        String closest = null;
        int closestDistance = Integer.MAX_VALUE;
        for (String known : read) {
            int distance = editDistance(key.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT));
            if (distance <= 2 && distance * 2 < known.length() && distance < closestDistance) {
                closest = known;
                closestDistance = distance;
            }
        }
        return closest;
    }

    /** Edits (insert, delete, replace, swap two neighbours) from {@code a} to {@code b}. */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int replace = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + replace);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** Marks a key as known without reading it (read elsewhere, or deliberately ignored). */
    public void markKnown(String key) {
        read.add(key);
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Throws every problem recorded so far, in this section or its siblings, as one exception. */
    public void throwIfInvalid() {
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
    }

    /**
     * The value of a key that wants a number, a boolean, a duration or a size. An empty one (a {@code ${VAR:-}}
     * left unset gives it) reads as absent, as it does for {@link #string}: the key takes its default. A section or a
     * list written there, which none of them reads, is given as {@link #shown} repeats it: its problem showed
     * {@code {api-key=S3CRET}}, where one under a key that wants a single value is masked.
     */
    private @Nullable Object typed(String key) {
        Object value = take(key);
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return shown(value, key);
        }
        return "".equals(value) ? null : value;
    }

    private @Nullable Object take(String key) {
        read.add(key);
        return values.get(key);
    }

    /** Whether {@code key} of this section names a secret, by itself or with the section's name ({@code api.key}). */
    private boolean isSecret(String key) {
        return Secrets.isSecretKey(path.isEmpty() ? null : path.substring(path.lastIndexOf('.') + 1), key);
    }

    private String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}

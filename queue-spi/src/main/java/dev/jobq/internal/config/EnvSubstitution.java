package dev.jobq.internal.config;

import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} inside string scalars of the parsed tree.
 * Working after parsing, one scalar at a time, means a value full of YAML's special characters
 * (a password with {@code #} or {@code :}) cannot change the file's structure. {@code $${} writes a
 * literal {@code ${}. As in the shell, the default also applies when the variable is set but empty;
 * without a default an empty variable is a problem like an unset one ({@code ${VAR:?}} in the shell),
 * since an empty value reads as an absent key and would quietly take the key's default.
 */
final class EnvSubstitution {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /**
     * A name as a reference may misspell it, which names no variable but may say it is a secret's: after a blank
     * ({@code ${ DB_PASSWORD:-x}}), or dotted as Spring writes it ({@code ${db.password:-x}}).
     */
    private static final Pattern NAME_AS_WRITTEN = Pattern.compile("\\s*[A-Za-z0-9_.]+");
    /** The shell's forms other than {@code :-} ({@code ${VAR-x}}, {@code ${VAR:?err}}, …), as docker-compose writes them. */
    private static final Pattern SHELL_FORM = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(:?[-=?+])(.*)", Pattern.DOTALL);
    /**
     * The list indexes that end a path ({@code [0][2]}). Possessive, as an index's brackets and digits are told apart
     * without going back: {@code (\[\d+])+$} recursed once an index, and a key of 3,000 overflowed the stack.
     */
    private static final Pattern LIST_INDEX = Pattern.compile("(?:\\[\\d++])++$");
    /** A problem about a key of its own section, the key its group 1, then its list indexes, possessive too. */
    private static final Pattern OWN_KEY = Pattern.compile("\\.([^.:\\[]+)(?:\\[\\d++])*+: ");
    private static final String NOT_SHOWN = "(a secret, not shown)";
    /** How a list's refusal of a section written for it repeats the section, then advises it as a list (Settings). */
    private static final String SECTION_FOR_LIST = "got a section of keys (";
    private static final String LIST_ADVICE = "); write [";
    private static final String LIST_ADVICE_END = "], in square brackets";
    /**
     * A whole number, with digit separators or without, as the readers of numbers take it or advise it. Possessive:
     * {@code ([_, ]\d+)*} recursed once a separator, and a secret of 5,000 of them overflowed the stack.
     */
    private static final Pattern NUMBER = Pattern.compile("[+-]?\\d++(?:[_, ]\\d++)*+");
    /** What follows a value a refusal cut: its closing quote, if any, and its length ({@code ' (128 characters)}). */
    private static final Pattern CUT_LENGTH = Pattern.compile("('?) \\(\\d+ (?:characters|digits)\\)");
    /** The shortest secret value masked wherever it stands in a problem, not only where quoted. */
    private static final int SHORTEST_MASKED_ANYWHERE = 4;
    /**
     * A number without a unit, with a minus or without ({@code 42}, {@code -42}, {@code - 00}): a duration's refusal of
     * it advises its digits with each unit, {@code -0} as 0 and {@code -42} as 42.
     */
    private static final Pattern BARE_NUMBER = Pattern.compile("(?:-\\s*)?(\\d+)");

    /**
     * A size with its unit as {@code Settings.bytes} reads it ({@code 3GiB}, {@code 3 gb}), the unit group 2, whose
     * range refusal repeats it in bytes ({@code got 3221225472}).
     */
    private static final Pattern SIZE_WITH_UNIT = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)",
            Pattern.CASE_INSENSITIVE);

    private final Map<String, String> env;
    private final BiConsumer<String, String> problems;
    private final Set<String> failedKeys = new HashSet<>();
    /** The path of every key and list item substituted, to tell whose a problem is. */
    private final Set<String> paths = new HashSet<>();
    /** Failed list items: their list's key, and the text each kept (what its list's problems repeat). */
    private final List<FailedItem> failedItems = new ArrayList<>();

    /**
     * The value of each variable named like a secret (or the default that stood for it), and the key (or list) it was
     * written into.
     */
    private final List<SecretValue> secretValues = new ArrayList<>();

    private record FailedItem(String path, String listKey, String text) {
    }

    private record SecretValue(String key, String value) {
    }

    /**
     * @param problems receives (key path, message) for every reference that cannot be resolved
     */
    EnvSubstitution(Map<String, String> env, BiConsumer<String, String> problems) {
        this.env = env;
        this.problems = problems;
    }

    /** A copy of the top-level map with every string scalar substituted. */
    Map<String, Object> apply(Map<String, Object> top) {
        Map<String, Object> out = new LinkedHashMap<>();
        top.forEach((key, value) -> out.put(key, value(key, value)));
        return out;
    }

    /**
     * {@code problems} without those about a key whose reference failed: the key kept its
     * {@code ${…}} text, which its section then reports too ("must be a whole number, got
     * '${WORKERS}'"), saying nothing the reference's own problem did not; nor those about keys
     * inside such a key (a section written as one reference, then missing its required keys).
     */
    List<String> withoutEchoes(List<String> problems) {
        return problems.stream()
                // a section written as one failed reference: what its reader missed in it too, but not what a
                // longer key beside it has wrong (queues "reports: ${X}" and "reports.eu")
                .filter(problem -> !failedKeys.contains(ProblemOwner.of(problem, paths)))
                // an item's own problems, and its list's that repeat its text; not what the other items have wrong
                .filter(problem -> failedItems.stream().noneMatch(item -> within(problem, item.path())
                        || problem.startsWith(item.listKey() + ": ") && (problem.contains("'" + item.text() + "'")
                        || problem.contains("'" + Secrets.maskUrl(item.text()) + "'"))))
                .toList();
    }

    /**
     * {@code problems} with the value of each variable named like a secret ({@code DB_PASSWORD}, {@code API_TOKEN},
     * as {@link Secrets#isSecretKey} names a key) masked where the key it was written into repeats it: a line copied
     * from the scheduler's ({@code concurrency: ${DB_PASSWORD}}) printed the password as "must be a whole number,
     * got '…'" to the log. Also where another key of its section repeats it, naming it: {@code worker.backoff.max}'s
     * problems name base's value ("must be ≥ base (1m30s)"), which showed a secret written into base. Not where another
     * key's problem names no such key: base: 1s written plainly was masked in max's for a secret of 1s in jitter, or in
     * pollInterval, a section above. Nor where it names another key of the section beside it, whose value it then
     * repeats; a problem of a key of the same section that names none is masked: max's advice from base ("'-5s' is
     * negative; … e.g. 2h") names no base. A key named like a secret hides its value already; other variables' values
     * stay shown.
     */
    List<String> withoutSecretValues(List<String> problems) {
        return problems.stream().map(problem -> {
            String masked = problem;
            for (SecretValue secret : secretValues) {
                String section = sectionOf(secret.key());
                if (within(masked, secret.key()) || within(masked, section) && repeats(masked.substring(section.length()),
                        section, secret.key().substring(section.length() + 1))) {
                    int path = pathEnd(masked, section);
                    masked = masked.substring(0, path) + masked(masked.substring(path), secret.value());
                } else {
                    String above = refusedAbove(masked, section);
                    if (above != null) {
                        masked = above + masked(masked.substring(above.length()), secret.value());
                    }
                }
            }
            return masked;
        }).toList();
    }

    /**
     * Where the path of {@code problem}, a problem about a key in {@code section} or below it, ends: at the first
     * ": " after the section. A path is keys as written and list indexes, never a substituted value: masked with the
     * rest, a secret equal to a key's name or an item's index hid which key to fix ({@code worker.backoff.****:},
     * {@code delays[****]}). A key holding ": " ends it early, which masks what follows as before.
     */
    private static int pathEnd(String problem, String section) {
        int end = problem.indexOf(": ", section.length());
        return end < 0 ? section.length() : end;
    }

    /**
     * The section above {@code section} whose own refusal {@code problem} is, naming the key below it that holds
     * {@code section} as its value written out ({@code worker.queues: … (a: {b=…})} for {@code worker.queues.a}), or
     * null: such a refusal repeats its value written out, a secret two sections deep in it too, which was shown whole
     * there. Named as a word only, another item's refusal was taken for it, and an item equal to a short secret masked
     * ({@code worker.queues: '****' is not a configured queue} for {@code [x, {x: {b: ${API_TOKEN}}}]}).
     */
    private static @Nullable String refusedAbove(String problem, String section) {
        for (String inner = section; inner.lastIndexOf('.') > 0; inner = sectionOf(inner)) {
            String outer = sectionOf(inner);
            if (problem.startsWith(outer + ": ")
                    && writesOut(problem.substring(outer.length()), inner.substring(outer.length() + 1))) {
                return outer;
            }
        }
        return null;
    }

    /**
     * Whether {@code text}, a problem after {@code section}'s path ({@code .max: …}), may repeat the value of
     * {@code key} of that section: it names it, or it is about a key beside it and names no other key written there.
     */
    private boolean repeats(String text, String section, String key) {
        if (names(text, key)) {
            return true;
        }
        Matcher own = OWN_KEY.matcher(text);
        if (!own.lookingAt()) {
            return false; // a section below, or above
        }
        return paths.stream().map(path -> UntrustedText.escape(LIST_INDEX.matcher(path).replaceAll("")))
                .filter(path -> path.startsWith(section + ".") && sectionOf(path).equals(section))
                .map(path -> path.substring(section.length() + 1))
                .noneMatch(other -> !other.equals(own.group(1)) && !other.equals(key) && names(text, other));
    }

    /**
     * Whether {@code text} names {@code key} with a value after it, as a section written out does: {@code a=} as a
     * problem repeats a section ({@code {a={b=…}}}), {@code a: } as a list's refusal of one ({@code (a: {b=…})}); or
     * as the first part of a key with a dot ({@code (a.b: {c=…})}), which a path cannot tell from two keys. Where a
     * key begins there, after a '{', a '(', a '[' or a ", ": after a blank, a key named as the refusal's own words
     * name a section ({@code queues} in "add it under queues: ") took another item's refusal for its section's.
     */
    private static boolean writesOut(String text, String key) {
        return Pattern.compile("(?:(?<=[{(\\[])|(?<=, ))" + Pattern.quote(key) + "(?:=|: |\\.)").matcher(text).find();
    }

    /** Whether {@code text} names {@code key} as a word of its own ({@code base} in "must be ≥ base (1s)"). */
    private static boolean names(String text, String key) {
        return Pattern.compile("(?<![\\w.])" + Pattern.quote(key) + "(?![\\w])").matcher(text).find();
    }

    /** The section that holds {@code key} ({@code worker.backoff} of {@code worker.backoff.base}); a top key's own. */
    private static String sectionOf(String key) {
        int dot = key.lastIndexOf('.');
        return dot > 0 ? key.substring(0, dot) : key;
    }

    /**
     * {@code text} with {@code value} masked where it is quoted ({@code got 'on'}), and, for a value of
     * {@value #SHORTEST_MASKED_ANYWHERE} characters or more, wherever it stands (in a URL, after {@code got}): a
     * shorter one would be masked inside the message's own words too ({@code standal****e} for "on"), so it is masked
     * where a section's advice or its keys written out repeat it too ({@code provider: {type: ****}},
     * {@code (a: ****)}, {@code [5s, ****]}). The value as
     * set and stripped of its blanks, as a list's reader and a duration's repeat it: a secret made from a file ends
     * in a newline, which was masked with it where quoted whole and left the secret shown where stripped. A number
     * also as a number's reader repeats it, digits however few where a duration's advice for them gives them a unit
     * ({@code '123' has no unit; write 123ms}), and a duration as a duration's range prints it.
     */
    private static String masked(String text, String value) {
        String out = text;
        String stripped = value.strip();
        Set<String> forms = new LinkedHashSet<>(List.of(value, UntrustedText.escape(value), Secrets.maskUrl(value),
                UntrustedText.escape(Secrets.maskUrl(value)), stripped, UntrustedText.escape(stripped),
                Secrets.maskUrl(stripped), UntrustedText.escape(Secrets.maskUrl(stripped))));
        if (NUMBER.matcher(stripped).matches()) {
            // a PIN, as a number's reader repeats it: without its separators ("e.g. 48219930"), and as the number it
            // reads as (a range's "got 123456" for 00123456)
            String joined = stripped.replaceAll("[_, ]", "");
            forms.add(joined);
            String read = new BigInteger(joined).toString();
            forms.add(read);
            // a range's "must be ≥ 1, got -42" repeats it unquoted, whatever its length: one of fewer than four
            // characters (0, -42, or -000…42 read as -42) was shown there
            out = out.replaceAll("(?<=, got )" + Pattern.quote(read) + "(?![\\w.])",
                    Matcher.quoteReplacement(Secrets.MASK));
            // and "write it without digit separators, e.g. 12" its digits, unquoted: 1 2 was shown there
            out = out.replaceAll("(?<=e\\.g\\. )" + Pattern.quote(joined) + "(?![\\w.])",
                    Matcher.quoteReplacement(Secrets.MASK));
        }
        for (String shown : forms) {
            if (shown.isEmpty()) {
                continue;
            }
            out = out.replace("'" + shown + "'", "'" + Secrets.MASK + "'");
            if (shown.length() >= SHORTEST_MASKED_ANYWHERE) {
                out = withExamples(out.replace(shown, Secrets.MASK), shown);
            } else {
                // a section written as one value is advised as its type or its wait, unquoted: "provider: {type: abc}";
                // a section written for a list is repeated as its keys and values: "(a: abc, b: x)"
                out = out.replaceAll("(?<=: )" + Pattern.quote(shown) + "(?=[})]|, [\\w.-]+: )",
                        Matcher.quoteReplacement(Secrets.MASK));
                out = withoutSectionValue(out, shown);
                out = withoutItem(out, shown);
            }
            out = withoutCut(out, shown);
        }
        out = withAdviceAsSection(text, out);
        Matcher bare = BARE_NUMBER.matcher(stripped);
        // -0's advice gives 0 its units, as 0's does: "write 0ms, 0s, …" showed the secret where 0's was masked; and
        // -42's gives 42 its units ("is negative and has no unit; write 42ms, …"), which showed the secret's digits
        String digits = bare.matches() ? bare.group(1) : null;
        if (digits != null && (out.contains("'" + Secrets.MASK + "' has no unit")
                || out.contains("'" + Secrets.MASK + "' is negative and has no unit"))) {
            // a duration's "has no unit; write 123ms, 123s, …" repeats it unquoted whatever its length: a PIN of
            // fewer than four digits stayed shown there; masked where a unit follows it as a word of its own, in that
            // advice only: another item's problem under the same key ("'-5s' is negative; … e.g. 5s") is not its.
            // Looked for after the value is masked, cut or whole: "'000…' (102 characters) has no unit; write 42ms"
            // was not found as the value whole, and showed the number. The advice gives each unit the number's value,
            // not its digits: 42ms for a secret of 0042
            String number = "(?:" + Pattern.quote(digits) + "|" + new BigInteger(digits) + ")";
            out = out.replaceAll("(?<![\\w.])" + number + "(?=(ms|s|m|h)(?!\\w))",
                    Matcher.quoteReplacement(Secrets.MASK));
        }
        Matcher withUnit = SIZE_WITH_UNIT.matcher(stripped);
        if (withUnit.matches()) {
            // a size's range gives it in bytes, a number made from it: "must be between 1 and … bytes, got 3221225472"
            int power = "kmg".indexOf(Character.toLowerCase(withUnit.group(2).charAt(0))) + 1;
            String bytes = new BigInteger(withUnit.group(1)).shiftLeft(10 * power).toString();
            out = out.replaceAll("(?<= bytes, got )" + Pattern.quote(bytes) + "(?![\\w.])",
                    Matcher.quoteReplacement(Secrets.MASK));
        }
        String duration = formattedDuration(stripped);
        if (duration != null) {
            // a duration's range repeats it formatted, often shorter: 7200s as "got 2h"; masked as a word of its own
            out = withoutWord(out, duration);
        }
        for (String size : negativeSizes(stripped)) {
            // a negative one's refusal gives its size as the fix: "'PT-12345S' is negative; … e.g. 3h25m45s"
            out = withoutWord(out, size);
            out = withoutCut(out, size);
        }
        return out;
    }

    /**
     * {@code masked}, {@code shown} masked wherever it stands, with a duration's examples
     * ({@link DurationFormat#EXPECTED}) given back where that took a word of theirs: they are never the value, and a
     * secret of {@code 500ms} or {@code PT30S} was told by its mask there ({@code such as ****, 30s, 5m}), in another
     * item's refusal too. A secret that holds the examples is masked with them.
     */
    private static String withExamples(String masked, String shown) {
        String examples = DurationFormat.EXPECTED.replace(shown, Secrets.MASK);
        return examples.equals(DurationFormat.EXPECTED) ? masked : masked.replace(examples, DurationFormat.EXPECTED);
    }

    /**
     * {@code text} with {@code word}, a duration made from a secret, masked as a word of its own, but not inside the
     * examples a duration's refusal gives ({@link DurationFormat#EXPECTED}), which are never the value: a secret of
     * {@code 1h} written in a list was told by its mask there ({@code such as 500ms, 30s, 5m, ****, 2d}).
     */
    private static String withoutWord(String text, String word) {
        String mask = Matcher.quoteReplacement(Secrets.MASK);
        String pattern = "(?<![\\w.])" + Pattern.quote(word) + "(?![\\w.])";
        var out = new StringBuilder();
        int from = 0;
        for (int at = text.indexOf(DurationFormat.EXPECTED); at >= 0;
                at = text.indexOf(DurationFormat.EXPECTED, from)) {
            out.append(text.substring(from, at).replaceAll(pattern, mask)).append(DurationFormat.EXPECTED);
            from = at + DurationFormat.EXPECTED.length();
        }
        return out.append(text.substring(from).replaceAll(pattern, mask)).toString();
    }

    /**
     * {@code text} with {@code shown} masked where a refusal cut it: its first characters and the '…' after them, and
     * the length said after that ({@code 'hunter2-s3…' (128 characters)} is {@code '****'}). A value longer than a
     * refusal repeats is cut there (Settings' "got '…'"), which masking it whole did not find: its first 80 characters
     * were shown. Fewer than {@value #SHORTEST_MASKED_ANYWHERE} characters before a '…' are masked where the length
     * said follows, a cut that is a refusal's, and where the problem repeats that cut value (the provider's
     * "{type: aaa…}"): a secret written after 77 to 79 characters of other text showed its first 1 to 3 characters.
     */
    private static String withoutCut(String text, String shown) {
        var out = new StringBuilder();
        Map<String, String> shortCuts = new LinkedHashMap<>();
        int from = 0;
        for (int at = text.indexOf('…'); at >= 0; at = text.indexOf('…', at + 1)) {
            int length = Math.min(shown.length(), at - from);
            while (length > 0 && !text.regionMatches(at - length, shown, 0, length)) {
                length--;
            }
            Matcher said = CUT_LENGTH.matcher(text).region(at + 1, text.length());
            boolean lengthSaid = said.lookingAt();
            if (length >= SHORTEST_MASKED_ANYWHERE || length > 0 && lengthSaid) {
                if (length < SHORTEST_MASKED_ANYWHERE) {
                    // the value as cut, from its opening quote or the blank before it
                    int start = Math.min(at - length, Math.max(text.lastIndexOf('\'', at - length - 1),
                            text.lastIndexOf(' ', at - length - 1)) + 1);
                    shortCuts.put(text.substring(start, at + 1), text.substring(start, at - length) + Secrets.MASK);
                }
                out.append(text, from, at - length).append(Secrets.MASK);
                from = lengthSaid ? said.end() : at + 1;
                out.append(lengthSaid ? said.group(1) : "");
            }
        }
        String masked = out.append(text, from, text.length()).toString();
        for (Map.Entry<String, String> cut : shortCuts.entrySet()) {
            masked = masked.replace(cut.getKey(), cut.getValue());
        }
        return masked;
    }

    /**
     * {@code masked}, {@code text} masked, with a list's advice for a section written for it ({@code (a: abc); write
     * [a, abc]}) masked as that section is: a key equal to a value too short to mask wherever it stands was masked as
     * an item in the advice and shown in the section ({@code (a: ****); write [****, ****]}), which told the secret.
     * The advice is rebuilt from the masked section, each key's value split off at its first ": ", as Settings writes
     * it: taken as every ": " of the section, a value holding one ({@code b: "x: y"}) did not rebuild the advice, which
     * then told the secret so again. Where the advice is not the section's keys and values in a row (a key holding
     * ": "), and masking changed either, it is not repeated ({@code write […]}).
     */
    private static String withAdviceAsSection(String text, String masked) {
        int[] written = sectionAndAdvice(text);
        int[] shown = sectionAndAdvice(masked);
        if (written == null || shown == null) {
            return masked;
        }
        String advice = text.substring(written[0], written[1]).equals(masked.substring(shown[0], shown[1]))
                && text.substring(written[2], written[3]).equals(masked.substring(shown[2], shown[3]))
                ? masked.substring(shown[2], shown[3]) // nothing masked in either
                : advised(text.substring(written[0], written[1])).equals(text.substring(written[2], written[3]))
                ? advised(masked.substring(shown[0], shown[1])) : "…";
        return masked.substring(0, shown[2]) + advice + masked.substring(shown[3]);
    }

    /** A list's advice for {@code section}, its keys and values written out: each key, then its value if any. */
    private static String advised(String section) {
        var out = new StringJoiner(", ");
        for (String entry : section.split(", ", -1)) {
            int colon = entry.indexOf(": ");
            out.add(colon < 0 ? entry : entry.substring(0, colon) + ", " + entry.substring(colon + 2));
        }
        return out.toString();
    }

    /**
     * {@code text} with {@code shown}, a value too short to mask wherever it stands, masked where a list's refusal
     * repeats a section written for it as a key's value: after a ": " and before the ", " of the next key, whatever
     * that key is, or the section's end. Looked for before a key of word characters only ({@code , b: }), it was
     * shown before a key with no value ({@code (a: abc, b)}), or one holding a blank, a colon, a slash or a letter
     * beyond ASCII ({@code größe: 1}).
     */
    private static String withoutSectionValue(String text, String shown) {
        int[] at = sectionAndAdvice(text);
        if (at == null) {
            return text;
        }
        String section = text.substring(at[0], at[1]).replaceAll("(?<=: )" + Pattern.quote(shown) + "(?=, |$)",
                Matcher.quoteReplacement(Secrets.MASK));
        return text.substring(0, at[0]) + section + text.substring(at[1]);
    }

    /** Where in {@code problem} a list's refusal repeats a section and where it advises it: both starts and ends. */
    private static int @Nullable [] sectionAndAdvice(String problem) {
        int section = problem.indexOf(SECTION_FOR_LIST);
        int sectionEnd = section < 0 ? -1 : problem.indexOf(LIST_ADVICE, section);
        int adviceEnd = sectionEnd < 0 ? -1 : problem.indexOf(LIST_ADVICE_END, sectionEnd);
        return adviceEnd < 0 ? null : new int[] {section + SECTION_FOR_LIST.length(), sectionEnd,
                sectionEnd + LIST_ADVICE.length(), adviceEnd};
    }

    /**
     * {@code text} with {@code shown}, a value too short to mask wherever it stands, masked where a list or a section
     * written out repeats it as an item ({@code got '[5s, abc]'}, {@code [{type=abc}]}): after a '[', a ", " or a '='
     * and before a ']', a '}' or a ", ", inside brackets or braces only, so that the message's own words ("known keys
     * here: type, max, jitter") stay. Quoted whole only, it was shown there.
     */
    private static String withoutItem(String text, String shown) {
        Matcher item = Pattern.compile("(?<=\\[|, |=)" + Pattern.quote(shown) + "(?=[\\]}]|, )").matcher(text);
        var out = new StringBuilder();
        int from = 0;
        int depth = 0;
        int counted = 0;
        while (item.find()) {
            for (; counted < item.start(); counted++) {
                char c = text.charAt(counted);
                if (c == '[' || c == '{') {
                    depth++;
                } else if ((c == ']' || c == '}') && depth > 0) {
                    depth--;
                }
            }
            if (depth > 0) {
                out.append(text, from, item.start()).append(Secrets.MASK);
                from = item.end();
            }
        }
        return out.append(text, from, text.length()).toString();
    }

    /**
     * The sizes a refusal of {@code value} as negative gives as its example: {@code 12345s} of {@code -12345s}, as
     * written, and {@code 3h25m45s} of {@code PT-12345S}, formatted; none for a value that is not negative.
     */
    private static List<String> negativeSizes(String value) {
        List<String> sizes = new ArrayList<>();
        String unsigned = value.startsWith("-") ? value.substring(1).strip() : "";
        if (formattedDuration(unsigned) != null) {
            sizes.add(unsigned);
        }
        try {
            Duration read = DurationFormat.parse(value);
            if (read.isNegative()) {
                sizes.add(DurationFormat.formatExact(read.negated()));
            }
        } catch (IllegalArgumentException | ArithmeticException notNegative) { // negated: the least Duration
            // none to mask
        }
        return sizes;
    }

    /**
     * {@code value} as a duration's problems print it ({@code 2h} for {@code 7200s}, {@code PT2H0.0005S} for
     * {@code PT7200.0005S}), or null when it is none.
     */
    private static @Nullable String formattedDuration(String value) {
        try {
            return DurationFormat.formatExact(DurationFormat.parse(value));
        } catch (IllegalArgumentException notADuration) {
            return null;
        }
    }

    /**
     * The key a value at {@code path} was written into, as problems name it: without its list indexes, at the end
     * ({@code worker.queues} of {@code worker.queues[1]}) and inside ({@code scheduler.username} of
     * {@code scheduler[1].username}, a section's keys written as a list, which its section's refusal repeats as
     * {@code [{type=jdbc}, {username=…}]}: kept with its index, the key was none a problem is about, and the value
     * was shown however long).
     */
    private static String writtenInto(String path) {
        return path.replaceAll("\\[\\d+]", "");
    }

    /**
     * {@link #writtenInto} as a problem names it: escaped, as every problem line is ({@code Settings} escapes it
     * whole). Compared raw, a key holding a tab or a U+200E was never found in a problem naming it as {@code \\t} or
     * {@code \\u200e}, and a secret written under it was shown whole in its section's refusal.
     */
    private static String shownPath(String path) {
        return UntrustedText.escape(writtenInto(path));
    }

    private static boolean within(String problem, String key) {
        return problem.startsWith(key + ": ") || problem.startsWith(key + ".") || problem.startsWith(key + "[");
    }

    private @Nullable Object value(String path, @Nullable Object value) {
        paths.add(path);
        if (value instanceof String text) {
            return text.indexOf('$') < 0 ? text : substitute(path, text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, @Nullable Object> out = new LinkedHashMap<>();
            map.forEach((key, item) -> out.put(String.valueOf(key), value(path + "." + key, item)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<@Nullable Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(value(path + "[" + i + "]", list.get(i)));
            }
            return out;
        }
        return value;
    }

    /**
     * The substituted text. When a reference fails the text stays as written: the load fails anyway,
     * and a value that is still there does not add a second "is required" problem. The key is noted
     * so that {@link #withoutEchoes} can drop what its section says about that text.
     */
    private String substitute(String path, String text) {
        var out = new StringBuilder(text.length());
        boolean failed = false;
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    problems.accept(path, (isSecret(path) || holdsSecretDefault(text) ? "the value " + NOT_SHOWN
                            : "'" + Secrets.maskUrl(text) + "'") + " has '${' without a closing '}'; write ${NAME} or "
                            + "${NAME:-default}, or $${ for a literal ${");
                    return kept(path, text);
                }
                String resolved = resolve(path, text.substring(i + 2, close));
                failed |= resolved == null;
                out.append(resolved);
                i = close + 1;
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return failed ? kept(path, text) : out.toString();
    }

    /**
     * Whether the key at {@code path} holds a secret: a password may well hold a {@code ${} as it is, and its
     * problem must not show it (docs/configuration.md, "Secrets in errors"); so may a key named so with its section
     * ({@code api: {key: …}}), whose value was shown when only the path's last part was looked at; also in a list's
     * item ({@code api: [{key: …}]}, the section's name without its index, as a repeated list masks it).
     */
    private static boolean isSecret(String path) {
        String key = LIST_INDEX.matcher(path).replaceAll("");
        int dot = key.lastIndexOf('.');
        String section = dot > 0 ? LIST_INDEX.matcher(key.substring(key.lastIndexOf('.', dot - 1) + 1, dot))
                .replaceAll("") : null;
        return Secrets.isSecretKey(section, key.substring(dot + 1));
    }

    /** {@code text} unchanged, its key (or list item) noted as failed. */
    private String kept(String path, String text) {
        String listKey = LIST_INDEX.matcher(path).replaceAll("");
        if (listKey.equals(path)) {
            failedKeys.add(path);
        } else {
            failedItems.add(new FailedItem(path, listKey, text));
        }
        return text;
    }

    /**
     * What to write instead of a shell form jobq does not read; a secret's default is not shown, nor is that of a
     * variable named like a secret ({@code ${DB_PASSWORD-changeme}}), which stands for its value.
     */
    private static String shellForm(String path, String reference, String name, String operator, String word) {
        boolean secret = isSecret(path) || Secrets.isSecretKey(name) || holdsSecretDefault("${" + reference);
        String what = (secret ? "a '${…}' in the value " + NOT_SHOWN : "'${" + Secrets.maskUrl(reference) + "}'")
                + " is a shell form that jobq does not read: ";
        return what + switch (operator.replace(":", "")) {
            case "?" -> "write ${" + name + "}, which is required (an unset or empty " + name + " is an error naming it)";
            case "+" -> "jobq reads ${" + name + "} and ${" + name + ":-default} only";
            default -> "write ${" + name + ":-" + (secret ? "…" : Secrets.maskUrl(word)) + "} for a default (used when "
                    + name + " is unset or empty)";
        };
    }

    /**
     * Whether {@code text} holds a reference to a variable named like a secret with something after its name, a
     * default as written ({@code ${DB_PASSWORD:-changeme}}, {@code ${DB_PASSWORD-changeme}}), which stands for the
     * password: a reference that cannot be read and is shown as written showed it, inside a shell form
     * ({@code ${A-${DB_PASSWORD-changeme}}}) or unclosed; also one whose name is misspelled so
     * ({@code ${ DB_PASSWORD:-changeme}}, {@code ${db.password:-changeme}}). One without a default
     * ({@code ${DB_PASSWORD}) shows nothing.
     */
    private static boolean holdsSecretDefault(String text) {
        for (int at = text.indexOf("${"); at >= 0; at = text.indexOf("${", at + 2)) {
            Matcher name = NAME_AS_WRITTEN.matcher(text).region(at + 2, text.length());
            if (name.lookingAt() && Secrets.isSecretKey(name.group()) && name.end() < text.length()
                    && text.charAt(name.end()) != '}') {
                return true;
            }
        }
        return false;
    }

    /**
     * The reference inside a default, as shown: up to the first '}', without the default of a variable named like a
     * secret ({@code ${DB_PASSWORD:-changeme}} showed the password that stands for it, which is hidden elsewhere), also
     * where it is nested deeper ({@code ${PRIMARY_URL:-${DB_PASSWORD:-changeme}}}) or misspelled
     * ({@code ${ DB_PASSWORD:-changeme}}): cut after the first such name.
     */
    private static String nested(String reference) {
        for (int at = reference.indexOf("${"); at >= 0; at = reference.indexOf("${", at + 2)) {
            Matcher name = NAME_AS_WRITTEN.matcher(reference).region(at + 2, reference.length());
            if (name.lookingAt() && Secrets.isSecretKey(name.group())) {
                return Secrets.maskUrl(reference.substring(0, name.end()));
            }
        }
        return Secrets.maskUrl(reference);
    }

    private @Nullable String resolve(String path, String reference) {
        int separator = reference.indexOf(":-");
        String name = separator < 0 ? reference : reference.substring(0, separator);
        String fallback = separator < 0 ? null : reference.substring(separator + 2);
        Matcher shell = SHELL_FORM.matcher(reference);
        if (separator < 0 && shell.matches()) {
            problems.accept(path, shellForm(path, reference, shell.group(1), shell.group(2), shell.group(3)));
            return null;
        }
        if (!NAME.matcher(name).matches()) {
            // a default after a name like a secret's, though no variable's (${DB PASSWORD:-x}), stands for it too
            boolean secretDefault = fallback != null && !fallback.isEmpty() && Secrets.isSecretKey(name);
            problems.accept(path, (isSecret(path) || secretDefault || holdsSecretDefault("${" + reference)
                    ? "a '${…}' in the value " + NOT_SHOWN : "'${" + Secrets.maskUrl(reference) + "}'")
                    + " does not name an environment variable (letters, digits and _); write $${ for a literal ${");
            return null;
        }
        if (fallback != null && fallback.contains("${")) {
            // ${A:-${B}} would give A's value and a stray "}", or the text "${B}": neither is what was meant
            problems.accept(path, "the default of ${" + name + "} holds a reference" + (isSecret(path)
                    || Secrets.isSecretKey(name) ? ""
                    : ", " + nested(fallback.substring(fallback.indexOf("${"))) + "…") + ", which is not read "
                    + "as one (a default is text up to the first '}'); write the default out, e.g. ${" + name
                    + ":-value}, or set " + name);
            return null;
        }
        String value = env.get(name);
        if (value != null && !value.isEmpty()) {
            if (Secrets.isSecretKey(name)) {
                secretValues.add(new SecretValue(shownPath(path), value));
            }
            return value;
        }
        if (fallback != null) {
            if (Secrets.isSecretKey(name) && !fallback.isEmpty()) {
                // ${DB_PASSWORD:-changeme}: the default stands for the password, a development one
                secretValues.add(new SecretValue(shownPath(path), fallback));
            }
            return fallback;
        }
        if (value == null) {
            problems.accept(path, "environment variable " + name + " is not set; set it, or give a default with ${"
                    + name + ":-value}");
        } else {
            problems.accept(path, "environment variable " + name + " is set but empty; set it to a value, or give a "
                    + "default with ${" + name + ":-value} (${" + name + ":-} to allow an empty one)");
        }
        return null;
    }
}

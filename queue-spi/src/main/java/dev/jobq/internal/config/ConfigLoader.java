package dev.jobq.internal.config;

import dev.jobq.ConfigException;
import dev.jobq.JobOptions;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.Settings;
import dev.jobq.spi.UntrustedText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Loads {@code jobq.yaml} (DESIGN §8, {@code docs/configuration.md}) into a {@link JobQueueConfig}:
 * YAML, then {@code ${VAR}} substitution per string scalar, then each section, then the seeds'
 * environment overrides. Every problem of the file is collected and thrown together as one
 * {@link ConfigException}, each starting with its key path ({@code worker.concurrency: must be ≥ 1,
 * got 0}) or, for an override, the variable's name. Provider and scheduler factories check their
 * own keys through {@link dev.jobq.spi.QueueProviderFactory#validate}; nothing connects anywhere.
 */
public final class ConfigLoader {

    /** How a program that calls {@link dev.jobq.JobQueue#fromConfig} chooses another file. */
    private static final String CHOOSE_ANOTHER_IN_CODE = "pass JobQueue.fromConfig (or JobQueueBuilder.config) the "
            + "path of a file that exists";
    /** A URL as {@link Path#of} reads it, its "//" made "/": a scheme of two characters or more (not C:/). */
    private static final Pattern URL_AS_PATH = Pattern.compile("([A-Za-z][A-Za-z0-9+.:-]+):/+(.+)");

    private ConfigLoader() {
    }

    /**
     * {@code path}, the path of a {@code file:} URL, as the file it names: its percent-escapes decoded, as UTF-8
     * ({@code /etc/my%20jobs.yaml} names {@code /etc/my jobs.yaml}, which the fix "write the path it names" told as
     * {@code /etc/my%20jobs.yaml}, no file either); as written where a {@code %} starts no escape ({@code 100%.yaml})
     * or the bytes are no UTF-8. A {@code +} is the path's own, not a space as in a form.
     */
    static String fileUrlPath(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        var out = new StringBuilder(path.length());
        var escaped = new ByteArrayOutputStream();
        for (int i = 0; i < path.length(); ) {
            if (path.charAt(i) != '%') {
                out.append(path.charAt(i++));
                continue;
            }
            escaped.reset(); // a run of them together: one character's UTF-8 bytes (%C3%A9 is é)
            while (i < path.length() && path.charAt(i) == '%') {
                if (i + 2 >= path.length() || !HexFormat.isHexDigit(path.charAt(i + 1))
                        || !HexFormat.isHexDigit(path.charAt(i + 2))) {
                    return path;
                }
                escaped.write(HexFormat.fromHexDigits(path, i + 1, i + 3));
                i += 3;
            }
            try {
                out.append(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(escaped.toByteArray())));
            } catch (CharacterCodingException notUtf8) {
                return path;
            }
        }
        return out.toString();
    }

    /**
     * The fix a refusal of a {@code file:} URL given for the config file tells, {@code path} the URL's path as written:
     * "write the path it names, '…'", {@linkplain #fileUrlPath decoded} and escaped; or no path, where the one decoded
     * is not the file the URL names: a {@code %00} decodes to a NUL and a {@code %2F} to a '/' inside a name, which no
     * file's path or name holds, and a {@code ?} or a {@code #} begins the URL's query or fragment, no part of its path
     * ({@code /etc/a/b.yaml} was advised for {@code a%2Fb.yaml}, {@code /etc/jobq.yaml?x=1} for a query: other files).
     * Follows "which jobq does not read as one".
     */
    public static String fileUrlFix(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '?' || c == '#') {
                return ", and what follows its '" + c + "' is the URL's " + (c == '?' ? "query" : "fragment")
                        + ", no part of a file's path (a '" + c + "' in a file's name is written "
                        + (c == '?' ? "%3F" : "%23") + "); write the file's path";
            }
        }
        String named = fileUrlPath(path);
        if (named.indexOf('\0') >= 0) {
            return ", and names no file: its %00 is a NUL character, which no file's path holds; write the file's path";
        }
        if (slashes(named) > slashes(path)) { // only a %2F decodes to a '/'
            return ", and names no file: its %2F is a '/' inside a file's name, which no file's name holds; write the "
                    + "file's path";
        }
        return "; write the path it names, '" + UntrustedText.escape(named) + "'";
    }

    private static long slashes(String path) {
        return path.chars().filter(c -> c == '/').count();
    }

    /**
     * Reads and checks {@code file}, for a program that names it in code.
     *
     * @param env the environment, for substitution and overrides (usually {@code System.getenv()})
     * @throws ConfigException with every problem, or one naming the file when it cannot be read
     */
    public static JobQueueConfig load(Path file, Map<String, String> env, ProviderCatalog catalog) {
        return load(file, env, catalog, SetInCode.NOTHING);
    }

    /**
     * Reads and checks {@code file}, for a program that names it in code and sets some of its sections there
     * ({@link dev.jobq.JobQueueBuilder}): the problems of those sections are not reported, since none of their
     * settings is used (an unset variable, a provider jar a test does not have).
     *
     * @throws ConfigException with every other problem, or one naming the file when it cannot be read
     */
    public static JobQueueConfig load(Path file, Map<String, String> env, ProviderCatalog catalog, SetInCode inCode) {
        return load(file, env, catalog, CHOOSE_ANOTHER_IN_CODE, inCode);
    }

    /**
     * Reads and checks {@code file}.
     *
     * @param env           the environment, for substitution and overrides (usually {@code System.getenv()})
     * @param chooseAnother how the caller's user names another file, said when this one cannot be read
     * @throws ConfigException with every problem, or one naming the file when it cannot be read
     */
    public static JobQueueConfig load(Path file, Map<String, String> env, ProviderCatalog catalog,
                                      String chooseAnother) {
        return load(file, env, catalog, chooseAnother, SetInCode.NOTHING);
    }

    private static JobQueueConfig load(Path file, Map<String, String> env, ProviderCatalog catalog,
                                       String chooseAnother, SetInCode inCode) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            Matcher url = URL_AS_PATH.matcher(file.toString());
            if (url.matches()) {
                // A file: URL with a user information (file://jobq:hunter2@host/…, or file://jobq:hun/ter2@host/…,
                // whose '/' is the password's, no '@' before it) is masked and cut as any URL's below: whatever
                // Secrets would mask in it, a path told whole would show
                String asUrl = url.group(1) + "://" + url.group(2);
                if (url.group(1).equalsIgnoreCase("file") && Secrets.maskUrl(asUrl).equals(asUrl)) {
                    // --config file:///etc/jobq.yaml: a path written as a URL, which holds no password; it was cut
                    // after 'file://etc/', a host it does not have, and the path it names, the fix, not said
                    throw new ConfigException("'" + UntrustedText.escape(file.toString()) + "'",
                            List.of("no such file: the config file's path is a file: URL, which jobq does not read as "
                                    + "one" + fileUrlFix("/" + url.group(2)) + ", or " + chooseAnother));
                }
                // JOBQ_CONFIG=$DATABASE_URL by mistake: a URL, its '//' made '/' by Path.of, so that no mask found it,
                // was repeated as a missing file's path with its password; escaped, as the file: URL's path above: an
                // ESC or a U+202E in it repainted the terminal or reordered the line
                throw new ConfigException("'" + UntrustedText.escape(YamlTreeReader.upToItsHost(url.group(1) + "://"
                        + url.group(2))) + "'",
                        List.of("no such file: the config file's path is a URL (not repeated past its host: it may "
                                + "hold a password); " + chooseAnother));
            }
            // --config=~/jobq.yaml, or JOBQ_CONFIG=~/jobq.yaml in an env file: no shell expanded it, so it names ./~
            // ~bob/jobq.yaml names bob's home, not one's own, and a directory named ~bob, not ~
            String first = file.getNameCount() == 0 ? "" : file.getName(0).toString();
            String tilde = first.startsWith("~") ? "its '" + first + "' is taken as written, a directory named " + first
                    + ", not as " + (first.length() == 1 ? "the home directory" : first.substring(1) + "'s home directory")
                    + " (a shell expands it only at the start of a word: not after --config=, nor in an environment "
                    + "file); write the full path, or " : "";
            throw unreadable(file, "no such file; " + tilde + blankAround(file) + chooseAnother);
        } catch (AccessDeniedException e) {
            throw unreadable(file, Files.isDirectory(file) ? inDirectory(file, chooseAnother)
                    : permissionDenied(file, System.getProperty("user.name"), chooseAnother));
        } catch (IOException e) {
            throw unreadable(file, Files.isDirectory(file) ? inDirectory(file, chooseAnother)
                    : "cannot be read (" + e + "); " + chooseAnother);
        }
        String wide = utf16(bytes);
        if (wide != null) {
            // told as Latin-1 (with a mark) or as YAML's "special characters" (without), iconv -f ISO-8859-1 made it worse
            throw unreadable(file, "is " + wide + " text, not UTF-8 (as Windows PowerShell 5 writes a file with > or "
                    + "Out-File); save it as UTF-8, e.g. iconv -f " + wide + " -t UTF-8");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw unreadable(file, "is not UTF-8 text" + firstNonUtf8Line(bytes)
                    + "; save it as UTF-8, e.g. iconv -f ISO-8859-1 -t UTF-8 (for a file written as Latin-1)");
        }
        // escaped, as the problems' values are: a newline in the path ("$(cat where)") split the message's first line
        return parse(text, UntrustedText.escape(file.toString()), env, catalog, inCode);
    }

    /**
     * Checks {@code yamlText}; an empty text gives the defaults with the environment's overrides.
     *
     * @param sourceName how problems name the text (the file name)
     * @throws ConfigException with every problem found
     */
    public static JobQueueConfig parse(String yamlText, String sourceName, Map<String, String> env,
                                       ProviderCatalog catalog) {
        return parse(yamlText, sourceName, env, catalog, SetInCode.NOTHING);
    }

    private static JobQueueConfig parse(String yamlText, String sourceName, Map<String, String> env,
                                        ProviderCatalog catalog, SetInCode inCode) {
        Map<String, Object> tree = YamlTreeReader.read(yamlText, sourceName);
        Settings unresolved = Settings.of(sourceName, "", Map.of());
        var substitution = new EnvSubstitution(env, unresolved::problem);
        Map<String, Object> resolved = substitution.apply(tree);
        Settings root = Settings.of(sourceName, "", resolved);

        EnvironmentOverrides overrides = EnvironmentOverrides.read(env, root);
        Map<String, ProviderSection> providers = ProviderSectionReader.read(root, catalog);
        // worker.queues may name a queue whose section was refused just now: reported there, not again here
        Set<String> queueNames = new LinkedHashSet<>(providers.keySet());
        Set<String> fileQueues = root.section("queues").keys();
        queueNames.addAll(fileQueues);
        queueNames.addAll(inCode.queues());
        WorkerSettings worker = WorkerSectionReader.read(root.section("worker"), queueNames, overrides);
        SchedulerSection scheduler = SchedulerSectionReader.read(root, overrides, catalog);
        root.checkNoUnknownKeys();
        List<String> problems = new ArrayList<>(unresolved.problems());
        problems.addAll(substitution.withoutSecretValues(substitution.withoutEchoes(root.problems())));
        problems.removeIf(problem -> inCode.replaces(problem, fileQueues));
        if (!problems.isEmpty()) {
            throw new ConfigException(sourceName, problems);
        }
        if (!root.problems().isEmpty()) {
            providers = withOwnProblems(providers, resolved, sourceName);
            if (scheduler != null) {
                scheduler = withOwnProblems(scheduler, resolved, overrides, sourceName);
            }
        }
        return new JobQueueConfig(providers, worker, scheduler);
    }

    /**
     * The scheduler section reporting into a problem list of its own, as {@link #withOwnProblems(Map, Map, String)}
     * gives the providers: the file's still holds the problems of what code replaced (a worker key set in code, a
     * queue), which the factory's {@code throwIfInvalid()} at create would throw.
     */
    private static SchedulerSection withOwnProblems(SchedulerSection section, Map<String, Object> resolved,
                                                    EnvironmentOverrides overrides, String sourceName) {
        Map<String, Object> copy = new LinkedHashMap<>();
        if (resolved.get("scheduler") instanceof Map<?, ?> map) {
            map.forEach((key, value) -> copy.put(String.valueOf(key), value));
        }
        if (overrides.schedulerPollInterval() != null) {
            copy.put("pollInterval", overrides.schedulerPollInterval().toString()); // as SchedulerSectionReader lays it
        }
        Settings settings = Settings.of(sourceName, section.settings().path(), copy);
        settings.markKnown("enabled");
        settings.markKnown("type");
        settings.markKnown("pollInterval");
        return new SchedulerSection(section.enabled(), section.type(), section.pollInterval(), settings);
    }

    /**
     * The provider sections, each reporting into a problem list of its own. Those read from the file share the
     * file's, which still holds the problems of what code replaced (dropped above, since none of it is used): a
     * factory's {@code throwIfInvalid()} at create would throw them, failing the build after all.
     */
    private static Map<String, ProviderSection> withOwnProblems(Map<String, ProviderSection> providers,
                                                                Map<String, Object> resolved, String sourceName) {
        Map<String, ProviderSection> own = new LinkedHashMap<>();
        providers.forEach((name, section) -> {
            Object values = JobOptions.DEFAULT_QUEUE.equals(name) ? resolved.get("provider")
                    : resolved.get("queues") instanceof Map<?, ?> queues ? queues.get(name) : null;
            Map<String, Object> copy = new LinkedHashMap<>();
            if (values instanceof Map<?, ?> map) {
                map.forEach((key, value) -> copy.put(String.valueOf(key), value));
            }
            Settings settings = Settings.of(sourceName, section.settings().path(), copy);
            settings.markKnown("type");
            own.put(name, new ProviderSection(name, section.type(), settings, section.implicit()));
        });
        return own;
    }

    /**
     * The sections a {@link dev.jobq.JobQueueBuilder} sets in code, each in place of the file's section of that
     * name whole (docs/configuration.md): the queues by name ("default" for {@code provider:}), whether the
     * scheduler, and the worker's keys set in code ({@code concurrency}, {@code backoff}, …), each in place of that
     * key under {@code worker:} and of its {@code QUEUE_*} variable.
     */
    public record SetInCode(Set<String> queues, boolean scheduler, Set<String> workerKeys) {

        public static final SetInCode NOTHING = new SetInCode(Set.of(), false);

        /** The variable that overrides each worker key; code wins over both. */
        private static final Map<String, String> VARIABLE_OF = Map.of(
                "concurrency", EnvironmentOverrides.QUEUE_CONCURRENCY,
                "pollInterval", EnvironmentOverrides.QUEUE_POLL_INTERVAL,
                "shutdownTimeout", EnvironmentOverrides.QUEUE_SHUTDOWN_TIMEOUT);

        public SetInCode {
            queues = Set.copyOf(queues);
            workerKeys = Set.copyOf(workerKeys);
        }

        public SetInCode(Set<String> queues, boolean scheduler) {
            this(queues, scheduler, Set.of());
        }

        /**
         * Whether {@code problem} is one of a section set in code, whose settings are never used.
         *
         * @param fileQueues the names under the file's {@code queues:}: a problem is its queue's whose name is the
         *                   longest that its path starts with, so that {@code queues.reports.eu.…} is not taken for
         *                   one of "reports"
         */
        boolean replaces(String problem, Set<String> fileQueues) {
            if (scheduler && (within(problem, "scheduler") || within(problem, EnvironmentOverrides.SCHEDULER_ENABLED)
                    || within(problem, EnvironmentOverrides.SCHEDULER_POLL_INTERVAL))) {
                return true; // code wins over the variables too
            }
            for (String key : workerKeys) {
                String variable = VARIABLE_OF.get(key);
                if (within(problem, "worker." + key) || variable != null && within(problem, variable)) {
                    return true; // as the scheduler's: a value code replaces is never used, from the file or a variable
                }
            }
            if (queues.contains(JobOptions.DEFAULT_QUEUE) && within(problem, "provider")) {
                return true;
            }
            String owner = ProblemOwner.of(problem, fileQueues.stream().map(queue -> "queues." + queue).toList());
            return owner != null && queues.contains(owner.substring("queues.".length()));
        }

        private static boolean within(String problem, String section) {
            return problem.startsWith(section + ": ") || problem.startsWith(section + ".")
                    || problem.startsWith(section + "[");
        }
    }

    /**
     * The configuration without a file: the "default" queue in memory, the default worker, no
     * scheduler.
     *
     * @throws ConfigException when the memory provider is not on the catalog's class path
     */
    public static JobQueueConfig defaults(ProviderCatalog catalog) {
        return parse("", "defaults", Map.of(), catalog);
    }

    /**
     * The encoding {@code iconv} names UTF-16 text by, where {@code bytes} are that: {@code UTF-16} after a byte-order
     * mark (which iconv reads), else {@code UTF-16LE} or {@code UTF-16BE} where one of the first two bytes is 0, as it
     * is where the text begins with an ASCII character (a key, a comment, a space); null otherwise.
     */
    private static @Nullable String utf16(byte[] bytes) {
        if (bytes.length < 2) {
            return null;
        }
        int first = bytes[0] & 0xFF;
        int second = bytes[1] & 0xFF;
        if (first == 0xFE && second == 0xFF || first == 0xFF && second == 0xFE
                && (bytes.length < 4 || bytes[2] != 0 || bytes[3] != 0)) { // FF FE 00 00 is UTF-32's mark
            return "UTF-16";
        }
        if (first != 0 && second == 0 && (bytes.length < 4 || bytes[2] != 0)) {
            return "UTF-16LE";
        }
        return first == 0 && second != 0 ? "UTF-16BE" : null;
    }

    /** " (line N holds a byte that is not UTF-8)", or nothing when {@code bytes} are UTF-8 after all. */
    private static String firstNonUtf8Line(byte[] file) {
        ByteBuffer bytes = ByteBuffer.wrap(file);
        CoderResult result = StandardCharsets.UTF_8.newDecoder()
                .decode(bytes, CharBuffer.allocate(bytes.remaining()), true);
        if (!result.isError()) {
            return "";
        }
        int line = 1;
        for (int i = 0; i < bytes.position(); i++) {
            if (bytes.get(i) == '\n') {
                line++;
            }
        }
        return " (line " + line + " holds a byte that is not UTF-8)";
    }

    /**
     * What to say of a directory given for the file ({@code JOBQ_CONFIG=/etc/jobq}, where a volume or a ConfigMap
     * holds the file): the {@code jobq.yaml} in it, when there is one, then how to choose another.
     */
    private static String inDirectory(Path directory, String chooseAnother) {
        Path inIt = directory.resolve("jobq.yaml");
        return "is a directory, not a file; " + (Files.isRegularFile(inIt) ? "name the file in it, "
                + inIt.toAbsolutePath() + ", or " : "") + chooseAnother;
    }

    /**
     * For a missing path with a blank at its start or end ({@code --config "jobq.yaml "}, a copied line's trailing
     * space) whose stripped form names a file that exists, that it does; {@code JOBQ_CONFIG} is stripped, but a path
     * given is read as given, since a file's name may end in a space.
     */
    private static String blankAround(Path file) {
        String given = file.toString();
        String stripped = given.strip();
        if (stripped.isEmpty() || stripped.equals(given) || !Files.exists(Path.of(stripped))) {
            return "";
        }
        return "'" + given + "' has a blank at its start or end, and without it names "
                + Path.of(stripped).toAbsolutePath() + ", which exists: write the path without the blank, or ";
    }

    /**
     * What to say of a file the user running jobq may not read (the file's mode, or a directory above it that user may
     * not enter): "cannot be read (java.nio.file.AccessDeniedException: …)" named neither the user, whom a service
     * (systemd's User=, a container's USER) makes another than the one who wrote the file, nor how to let it.
     */
    static String permissionDenied(Path file, String user, String chooseAnother) {
        return "cannot be read by user " + user + ", who runs jobq (permission denied, on the file or on a directory "
                + "above it); let that user read the file and enter each directory above it (namei -l "
                + file.toAbsolutePath() + " shows who may), or " + chooseAnother;
    }

    /**
     * The file's absolute path leads the message; the problem is about the whole file, so no key path. The path, and
     * the problem that may repeat it, escaped: a newline in it split the message, an ESC repainted.
     */
    private static ConfigException unreadable(Path file, String problem) {
        return new ConfigException(UntrustedText.escape(file.toAbsolutePath().toString()),
                List.of(UntrustedText.escape(problem)));
    }
}

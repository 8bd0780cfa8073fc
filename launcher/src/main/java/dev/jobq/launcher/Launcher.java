package dev.jobq.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * The {@code Main-Class} of jobq's runnable jars, compiled for Java 8 so that any {@code java} loads
 * it. On Java 21 or newer it runs the jar's own main class, named by the manifest attribute
 * {@value #MAIN_ATTRIBUTE}, in this JVM. On an older one — a machine whose default {@code java} is
 * 17 while the build ran with {@code JAVA_HOME} set to a newer JDK — it runs the same class path
 * again with {@code JAVA_HOME}'s {@code java} if that is 21 or newer (saying so on stderr, passing on
 * the JVM options that java takes, the arguments, signals and the exit status), and otherwise says which Java it
 * found and how to run with a newer one, instead of the JVM's class-version error.
 */
public final class Launcher {

    public static final int REQUIRED = 21;
    /**
     * The exit status when no Java 21+ is found: jobq's status for a configuration to fix (2), as a restart
     * with the same java fails the same way; systemd's {@code RestartPreventExitStatus=2} then stops retrying.
     */
    static final int NO_USABLE_JAVA = 2;
    static final String MAIN_ATTRIBUTE = "Jobq-Main-Class";
    /**
     * The manifest attribute naming the program the jar runs ({@code jobq}, {@code local-sqs}, {@code jobq-bench}),
     * for the launcher's messages; {@code jobq} where a jar has none.
     */
    static final String PROGRAM_ATTRIBUTE = "Jobq-Program";
    /** Set on the JVM started again, so that it can never start another. */
    private static final String RELAUNCHED = "jobq.launcher.relaunched";
    /**
     * Set on the JVM started again to a file that grows by one byte before each signal this JVM passes on,
     * so that the child can tell how many of the TERMs it gets are this JVM's copies of a stop (see
     * {@code OsSignals} in the worker) whatever their timing; absent where no such file could be made.
     */
    static final String STOPS_PASSED_ON = "jobq.launcher.stopsPassedOn";
    /** The signals that ask a JVM to stop: the launcher passes them on to the JVM it started. */
    private static final String[] PASSED_ON = {"TERM", "INT"};
    /** Guards the three below: the check of the options runs on the main thread, a shutdown hook may end it. */
    private static final Object CHECK = new Object();
    /** The check's directory while it runs ({@link #optionsTakenBy}), for a shutdown hook to delete. */
    private static Path checkDirectory;
    /** The probe running, for a shutdown hook to end. */
    private static Process probeRunning;
    /** Set once the JVM shuts down: the check starts no probe and makes no directory after. */
    private static boolean checkEnded;

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        Attributes manifest = manifest();
        String mainClass = manifest.getValue(MAIN_ATTRIBUTE);
        String program = manifest.getValue(PROGRAM_ATTRIBUTE) != null ? manifest.getValue(PROGRAM_ATTRIBUTE) : "jobq";
        int running = feature(System.getProperty("java.specification.version"));
        if (running >= REQUIRED) {
            runInThisJvm(mainClass, args);
            return;
        }
        String javaHome = System.getenv("JAVA_HOME");
        // an empty one names no directory: Paths.get("") is the working directory, whose bin/java this would run
        int javaHomeFeature = javaHome == null || javaHome.trim().isEmpty() ? -1 : releaseFeature(Paths.get(javaHome));
        if (javaHomeFeature >= REQUIRED && System.getProperty(RELAUNCHED) == null) {
            String java = Paths.get(javaHome, "bin", "java").toString();
            String debugger = listeningDebugger(ManagementFactory.getRuntimeMXBean().getInputArguments());
            if (debugger != null) {
                System.err.println(program + ": this java is " + running + " (" + System.getProperty("java.home") + "); "
                        + program + " needs " + REQUIRED + " or newer, and JAVA_HOME's, Java " + javaHomeFeature
                        + ", would run it, but the debugger option " + debugger + " listens in this java, on a port "
                        + "the worker's JVM could not then listen on: run JAVA_HOME's java with it, " + java + " "
                        + debugger + " -jar " + System.getProperty("java.class.path"));
                System.exit(NO_USABLE_JAVA);
            }
            String sharedFile = fileWrittenByBoth(ManagementFactory.getRuntimeMXBean().getInputArguments());
            if (sharedFile != null) {
                String what = sharedFile.contains("DumpLoadedClassList=") ? "its own classes into the worker's list "
                        + "as it runs" : "a CDS archive of its own there as it exits, after the worker's, which Java "
                        + javaHomeFeature + " cannot use";
                // a -XX:Flags file's setting, as written there: the option to run with is the file's
                String given = sharedFile.startsWith("-") ? sharedFile : flagsFile(ManagementFactory.getRuntimeMXBean()
                        .getInputArguments());
                System.err.println(program + ": this java is " + running + " (" + System.getProperty("java.home") + "); "
                        + program + " needs " + REQUIRED + " or newer, and JAVA_HOME's, Java " + javaHomeFeature
                        + ", would run it, but with " + sharedFile + (given.equals(sharedFile) ? "" : " (in " + given + ")")
                        + " this java writes " + what + ": run JAVA_HOME's java with it, " + java + " " + given + " -jar "
                        + System.getProperty("java.class.path"));
                System.exit(NO_USABLE_JAVA);
            }
            String unread = unreadArgument(program, args, System.getProperty("sun.jnu.encoding"), System.getenv());
            if (unread != null) {
                System.err.println(unread);
                System.exit(NO_USABLE_JAVA);
            }
            System.err.println(program + ": this java is " + running + " (" + System.getProperty("java.home")
                    + "); " + program + " needs " + REQUIRED + " or newer: running with JAVA_HOME's, Java " + javaHomeFeature
                    + " (" + javaHome + ")");
            System.exit(relaunch(program, java, mainClass, args));
        }
        System.err.println(tooOld(program, running, System.getProperty("java.home"), javaHome, javaHomeFeature));
        System.exit(NO_USABLE_JAVA);
    }

    /**
     * The first argument this java could not read in the locale's {@code encoding} ({@code sun.jnu.encoding}), named
     * with the fix, as the worker's java names it; null when there is none, or when they were read in UTF-8. The
     * relaunch passes each argument on in that encoding, where its U+FFFD becomes '?', which the worker's java cannot
     * tell from one typed: {@code zoë:greet} was enqueued as {@code zo??:greet}, exit 0.
     */
    static String unreadArgument(String program, String[] args, String encoding, Map<String, String> environment) {
        if (encoding == null || encoding.replace("-", "").equalsIgnoreCase("UTF8")) {
            return null;
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i].indexOf('\uFFFD') >= 0) {
                String locale = "LC_ALL, LC_CTYPE and LANG unset";
                for (String name : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
                    String value = environment.get(name);
                    if (value != null && !value.isEmpty()) {
                        locale = name + "=" + value;
                        break;
                    }
                }
                String shown = args[i].length() > 200 ? args[i].substring(0, 200) + "..." : args[i];
                return program + ": argument " + (i + 1) + " of the command line, '" + escaped(shown)
                        + "', lost characters: Java read the command line in " + charsetName(encoding)
                        + ", the encoding of this "
                        + "process's locale (" + locale + "), and put U+FFFD (\\ufffd) in place of each byte it could "
                        + "not read; nothing was done. Run " + program + " with a UTF-8 locale, e.g. LC_ALL=C.UTF-8 java "
                        + "-jar " + program + ".jar ... (systemd: Environment=LC_ALL=C.UTF-8; cron: a line LC_ALL=C.UTF-8 "
                        + "in the crontab)";
            }
        }
        return null;
    }

    /**
     * The encoding by the name the worker's java gives it ({@code US-ASCII} for the C locale's {@code ANSI_X3.4-1968});
     * one this java does not know, as it is.
     */
    private static String charsetName(String encoding) {
        try {
            return Charset.forName(encoding).name();
        } catch (IllegalArgumentException unknown) {
            return encoding;
        }
    }

    /**
     * {@code text} as the worker's java shows an argument (UntrustedText.escape, which this Java 8 class cannot use):
     * U+FFFD, control characters, the line and paragraph separators and the bidirectional overrides and marks written as
     * escapes, not to the terminal.
     */
    private static String escaped(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c == '\uFFFD' || Character.isISOControl(c) || c >= '\u2028' && c <= '\u202e'
                    || c >= '\u2066' && c <= '\u2069' || c == '\u200e' || c == '\u200f' || c == '\u061c') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * The message for a java older than {@link #REQUIRED} with no usable {@code JAVA_HOME}. A JAVA_HOME that names a
     * JDK's {@code bin} directory, as a {@code PATH} entry would, is said to be that, with the JDK's home to set; one
     * that names nothing, to not exist.
     */
    static String tooOld(String program, int running, String runningHome, String javaHome, int javaHomeFeature) {
        Path home = javaHome == null ? null : Paths.get(javaHome).getParent();
        int binOf = javaHomeFeature < 0 && home != null && Paths.get(javaHome).getFileName().toString().equals("bin")
                ? releaseFeature(home) : -1;
        String found = javaHome == null ? "JAVA_HOME is not set"
                : javaHome.trim().isEmpty() ? "JAVA_HOME is set but empty"
                : binOf >= 0 ? "JAVA_HOME (" + javaHome + ") is the bin directory of Java " + binOf + ", not its home"
                // a typo, or a JDK since removed: "not a JDK this launcher can read" sent one looking into a JDK
                : javaHomeFeature < 0 && !Files.exists(Paths.get(javaHome)) ? "JAVA_HOME (" + javaHome + ") does not exist"
                : javaHomeFeature < 0 ? "JAVA_HOME (" + javaHome + ") is not a JDK this launcher can read the version of"
                : "JAVA_HOME (" + javaHome + ") is Java " + javaHomeFeature;
        String fix = binOf >= REQUIRED ? "Set JAVA_HOME to " + home + " and run again."
                : "Set JAVA_HOME to a JDK " + REQUIRED + "+ or put its bin first on PATH, and run again.";
        return program + " needs Java " + REQUIRED + " or newer; this java is " + running + " (" + runningHome + "), and "
                + found + ". " + fix;
    }

    /** The feature release of a {@code java.specification.version}: 8 for "1.8", 17 for "17". */
    static int feature(String specificationVersion) {
        String version = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The feature release of the JDK at {@code home}, from the {@code JAVA_VERSION} line of its
     * {@code release} file (every JDK since 9 has one); -1 if there is none or it cannot be read.
     */
    public static int releaseFeature(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return feature(line.substring("JAVA_VERSION=".length()).replace("\"", "").trim());
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** The main attributes of this jar's manifest, which names the main class to run. */
    private static Attributes manifest() throws IOException {
        URL jar = Launcher.class.getProtectionDomain().getCodeSource().getLocation();
        URL manifestUrl = new URL("jar:" + jar + "!/META-INF/MANIFEST.MF");
        Attributes attributes;
        try (InputStream in = manifestUrl.openStream()) {
            attributes = new Manifest(in).getMainAttributes();
        }
        if (attributes.getValue(MAIN_ATTRIBUTE) == null) {
            throw new IllegalStateException("the manifest of " + jar + " names no " + MAIN_ATTRIBUTE
                    + ": this jar was not built by jobq's build");
        }
        return attributes;
    }

    private static void runInThisJvm(String mainClass, String[] args) throws Throwable {
        Method main = Class.forName(mainClass).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Runs {@code mainClass} on this class path with {@code java}, this JVM's options and
     * {@code args}, sharing stdin, stdout and stderr; answers its exit status. A TERM or INT
     * this JVM gets is passed to the child as TERM, counted first in the file named to the child by
     * {@value #STOPS_PASSED_ON}, and this JVM keeps waiting for it: the child's status, 0 after a drain,
     * is the one this JVM then exits with. Left to the JVM, such a signal would end this JVM with
     * 128 + its number whatever the child did, which systemd counts as a failed unit.
     */
    private static int relaunch(String program, String java, String mainClass, String[] args)
            throws IOException, InterruptedException {
        closeOwnRecordings();
        final Path stopsPassedOn = stopsFile();
        // The child once started; a stop before then starts none. Guarded by itself: a stop is handled on a thread
        // of its own, and the child is started holding it, so that a stop that comes as it starts finds it.
        final Process[] started = new Process[1];
        final boolean[] stopped = new boolean[1];
        // For the other ways this JVM is ended that run the hooks (SIGHUP, System.exit), not a TERM or INT under -Xrs,
        // which ends it at once; also deletes the count of a launcher ended so while it checks the options, before
        // there is a child.
        Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
            @Override
            public void run() {
                Process child;
                synchronized (started) {
                    // before the check ends: the probe's end let the main thread start the worker in between, only
                    // for this hook to stop it again
                    stopped[0] = true;
                    child = started[0];
                }
                endCheck();
                if (child != null && child.isAlive()) {
                    countStop(stopsPassedOn);
                    child.destroy();
                    try {
                        child.waitFor();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                delete(stopsPassedOn);
            }
        }, "jobq-launcher-child"));
        Runnable stopChild = new Runnable() {
            @Override
            public void run() {
                synchronized (started) {
                    stopped[0] = true;
                    if (started[0] != null && started[0].isAlive()) {
                        countStop(stopsPassedOn);
                        started[0].destroy();
                    }
                }
            }
        };
        // Before the options are checked, and so before the child starts: installed after the check, a stop during it
        // ended this JVM with 143 (its default), which systemd counts as a failed unit; after the child started, it left
        // the child running, unstopped.
        String uncaught = null;
        for (String signal : PASSED_ON) {
            if (!passOn(signal, stopChild)) {
                uncaught = uncaught == null ? "SIG" + signal : uncaught + " or SIG" + signal;
            }
        }
        if (uncaught != null) {
            // Said, not refused: a command that no one stops (stats, --version) runs as asked.
            boolean xrs = ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xrs");
            System.err.println(program + ": this java cannot catch " + uncaught + (xrs ? " (-Xrs)" : "") + ": a stop "
                    + "sent to it ends it at once, without passing the stop on, and the JVM it starts keeps running"
                    + (xrs ? "; leave -Xrs out of the java command line" : ""));
        }
        List<String> command = new ArrayList<String>();
        command.add(java);
        List<String> inputArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
        command.addAll(optionsTakenBy(program, java, withoutTheEnvironments(inputArguments,
                System.getenv("JAVA_TOOL_OPTIONS"), System.getenv("JDK_JAVA_OPTIONS"), System.getenv("_JAVA_OPTIONS")),
                settingsOfTheFlagsFile(inputArguments)));
        command.add("-D" + RELAUNCHED + "=true");
        if (stopsPassedOn != null) {
            command.add("-D" + STOPS_PASSED_ON + "=" + stopsPassedOn);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        Process child;
        synchronized (started) {
            if (stopped[0]) {
                // stopped before there was anything to stop
                delete(stopsPassedOn);
                return 0;
            }
            child = new ProcessBuilder(command).inheritIO().start();
            started[0] = child;
        }
        try {
            return child.waitFor();
        } finally {
            delete(stopsPassedOn);
        }
    }

    /**
     * Closes the flight recordings this JVM runs ({@code -XX:StartFlightRecording}, which the child gets too): the
     * recording asked for is the worker's, and this JVM, exiting after the child, dumped its own recording of the
     * launcher to the same {@code filename} over the worker's. Through {@code jdk.jfr} by reflection (this class is
     * compiled for Java 8); nothing where this JVM records nothing, or has no JFR.
     */
    private static void closeOwnRecordings() {
        try {
            Class<?> recorder = Class.forName("jdk.jfr.FlightRecorder");
            if (!(Boolean) recorder.getMethod("isInitialized").invoke(null)) {
                return;
            }
            Object flightRecorder = recorder.getMethod("getFlightRecorder").invoke(null);
            Method close = Class.forName("jdk.jfr.Recording").getMethod("close");
            for (Object recording : (List<?>) recorder.getMethod("getRecordings").invoke(flightRecorder)) {
                close.invoke(recording);
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // no JFR in this java: no recording of its own either
        }
    }

    /**
     * {@code options} without those {@code environmentOptions} gave (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and
     * _JAVA_OPTIONS, which this JVM's input arguments include): the child shares this environment and reads them
     * again, so passed on they came twice, an agent among them loaded twice. One occurrence a word (quotes as the
     * {@code java} launcher reads them), so one the command line gave as well stays. A file they name, an argument file
     * ({@code @FILE}) or {@code -XX:VMOptionsFile=FILE} (there or in the argument file), counts as the options in it: this
     * JVM lists those, not the file.
     */
    static List<String> withoutTheEnvironments(List<String> options, String... environmentOptions) {
        List<String> left = new ArrayList<String>(options);
        for (String value : environmentOptions) {
            if (value != null) {
                for (String word : words(value)) {
                    for (String given : word.startsWith("@") ? optionsIn(word.substring(1), true) : Arrays.asList(word)) {
                        // a -XX:VMOptionsFile named in the variable or in its argument file
                        for (String option : given.startsWith("-XX:VMOptionsFile=")
                                ? optionsIn(given.substring("-XX:VMOptionsFile=".length()), false) : Arrays.asList(given)) {
                            left.remove(option);
                        }
                    }
                }
            }
        }
        return left;
    }

    /**
     * The words of an options file, an argument file's ({@code @FILE}) as the {@code java} launcher reads them
     * ({@link #argumentFileWords}), a {@code -XX:VMOptionsFile}'s as the JVM does (white space outside quotes splits
     * them, the quotes removed); none where it cannot be read.
     */
    private static List<String> optionsIn(String file, boolean argumentFile) {
        String text;
        try {
            text = new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return new ArrayList<String>();
        }
        return argumentFile ? argumentFileWords(text) : words(text);
    }

    /**
     * The words of an argument file as the {@code java} launcher reads them: split at white space outside quotes and at
     * each line's end, the quotes removed; within quotes a backslash escapes the next character ({@code \\},
     * {@code \n}, {@code \t}), and one that ends the line joins the next to it, without that line's leading white space;
     * a {@code #} outside quotes leaves out the rest of the line, with what of its word came since the last quote.
     */
    private static List<String> argumentFileWords(String text) {
        final int between = 0;
        final int inWord = 1;
        final int inQuote = 2;
        final int escaping = 3;
        final int inComment = 4;
        final int joiningLine = 5;
        List<String> words = new ArrayList<String>();
        // the word's parts up to its last quote or escape, and what came since
        StringBuilder word = new StringBuilder();
        StringBuilder part = new StringBuilder();
        int state = between;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (state == between || state == joiningLine) {
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f') {
                    continue;
                }
                state = state == between ? inWord : inQuote;
            } else if (state == escaping) {
                if (c == '\n' || c == '\r') {
                    state = joiningLine;
                } else {
                    word.append(c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == 'f' ? '\f' : c);
                    state = inQuote;
                }
                continue;
            } else if (state == inComment) {
                if (c == '\n' || c == '\r') {
                    state = between;
                }
                continue;
            }
            if ((c == ' ' || c == '\t' || c == '\f') && state == inQuote) {
                part.append(c);
            } else if (c == ' ' || c == '\t' || c == '\f' || c == '\n' || c == '\r') {
                words.add(word.append(part).toString());
                word.setLength(0);
                part.setLength(0);
                state = between;
            } else if (c == '#' && state != inQuote) {
                part.setLength(0);
                state = inComment;
            } else if (c == '\\' && state == inQuote) {
                word.append(part);
                part.setLength(0);
                state = escaping;
            } else if ((c == '"' || c == '\'') && (state == inWord || c == quote)) {
                word.append(part);
                part.setLength(0);
                quote = c;
                state = state == inWord ? inQuote : inWord;
            } else {
                part.append(c);
            }
        }
        if (state == inWord || state == inQuote) {
            word.append(part);
        }
        if (word.length() > 0) {
            words.add(word.toString());
        }
        return words;
    }

    /** The words of an options variable: split at white space outside quotes, the quotes removed. */
    private static List<String> words(String value) {
        List<String> words = new ArrayList<String>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * Of this JVM's {@code options}, those {@code java} takes, in order. An option this older JVM took may be one a
     * newer JVM refuses (a flag removed since, as {@code -XX:+UseBiasedLocking}), which would end the child with the
     * newer JVM's error before jobq starts: where {@code java -version} refuses them together, each is tried after
     * the ones kept so far (an unlocking flag before the flag it unlocks), and one it refuses is left out and named
     * on stderr with the fix; one it could not get the memory for is passed on, and named. Agents ({@code -javaagent}, {@code -agentlib}, {@code -agentpath}, {@code -Xrun}) are
     * passed on unchecked: trying them would run them. The files the options name are the probes' own, in a
     * directory deleted after them (see {@link #forTheProbe}). The {@code settings} of a {@code -XX:Flags} file among
     * them ({@link #settingsOfTheFlagsFile}) are checked as the {@code -XX:} options they are but not passed on: the child,
     * given {@code -XX:Flags}, reads them from the file; one refused is named with the fix, and this JVM exits
     * {@value #NO_USABLE_JAVA}, as the child would not start with that file.
     */
    static List<String> optionsTakenBy(String program, String java, List<String> options, List<String> settings)
            throws IOException, InterruptedException {
        List<String> checked = new ArrayList<String>();
        for (String option : options) {
            if (!isAgent(option)) {
                checked.add(asOption(option, settings));
            }
        }
        if (checked.isEmpty()) {
            return options;
        }
        Path scratch;
        synchronized (CHECK) {
            if (checkEnded) {
                return ofTheCommandLine(options, settings);
            }
            scratch = createTemp(true);
            checkDirectory = scratch;
        }
        try {
            if (probe(java, checked, scratch) == Probe.TAKEN || probe(java, new ArrayList<String>(), scratch) != Probe.TAKEN) {
                return ofTheCommandLine(options, settings);
            }
            List<String> taken = new ArrayList<String>();
            List<String> kept = new ArrayList<String>();
            boolean settingRefused = false;
            for (String option : options) {
                if (!isAgent(option)) {
                    taken.add(asOption(option, settings));
                    Probe found = probe(java, taken, scratch);
                    if (found != Probe.TAKEN) {
                        // Not tried with the next: they would fail for want of memory too, whatever they are.
                        taken.remove(taken.size() - 1);
                    }
                    if (found == Probe.SHORT_OF_MEMORY) {
                        System.err.println(program + ": JAVA_HOME's java (" + java + ") could not get the memory to check "
                                + "the JVM option " + option + ": passed on as given");
                    } else if (found == Probe.REFUSED && settings.contains(option)) {
                        System.err.println(program + ": JAVA_HOME's java (" + java + ") refuses the setting " + option
                                + " of the -XX:Flags file, which this java took, and would not start with that file: remove "
                                + "it from that file, or run " + program + " with JAVA_HOME's java and the options it takes");
                        settingRefused = true;
                        continue;
                    } else if (found == Probe.REFUSED) {
                        System.err.println(program + ": JAVA_HOME's java (" + java + ") refuses the JVM option " + option
                                + ", which this java took: left out; remove it from the java command line, or run "
                                + program + " with JAVA_HOME's java and the options it takes");
                        continue;
                    }
                }
                kept.add(option);
            }
            if (settingRefused) {
                // Not left out as an option of the command line is: the child reads the file, and ended at once with the
                // newer java's 'Unrecognized VM option' and 1, which a service restarts. The shutdown hook deletes the
                // check's directory (endCheck).
                System.exit(NO_USABLE_JAVA);
            }
            return ofTheCommandLine(kept, settings);
        } finally {
            synchronized (CHECK) {
                checkDirectory = null;
            }
            deleteAll(scratch);
        }
    }

    /**
     * Ends the check of the options, for a shutdown hook: the JVM's own handler of SIGHUP (or a System.exit) runs the
     * hooks and halts, without the finally that deletes the check's directory; its probe is ended and waited for,
     * so that it writes nothing there after, and no other starts.
     */
    private static void endCheck() {
        Process probe;
        Path directory;
        synchronized (CHECK) {
            checkEnded = true;
            probe = probeRunning;
            directory = checkDirectory;
        }
        if (probe != null) {
            probe.destroy();
            try {
                probe.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteAll(directory);
    }

    /**
     * {@code options} without the {@code settings} of a {@code -XX:Flags} file, which the older JVM lists among its input
     * arguments as written there ({@code +LogVMOutput}, {@code LogFile=vm.log}, no {@code -XX:}): the child, given
     * {@code -XX:Flags} too, reads them from the file itself, and took them as words of the command line for its main class.
     */
    private static List<String> ofTheCommandLine(List<String> options, List<String> settings) {
        List<String> given = new ArrayList<String>();
        for (String option : options) {
            if (!settings.contains(option)) {
                given.add(option);
            }
        }
        return given;
    }

    /** {@code option} as the {@code -XX:} option it is where it is one of the {@code settings} of a {@code -XX:Flags} file. */
    private static String asOption(String option, List<String> settings) {
        return settings.contains(option) ? "-XX:" + option : option;
    }

    /**
     * The settings of the {@code -XX:Flags} file among {@code options}, this JVM's input arguments: the JVM lists them
     * first, as written there, without {@code -XX:} ({@code +LogVMOutput}, {@code LogFile=vm.log}, and
     * {@code -UseCompressedOops}, which looks like an option of the command line). They are read from the file the last
     * {@code -XX:Flags} names, split as the JVM splits it (a {@code #} where a setting would begin comments out the rest
     * of the line; quotes, kept out, hold white space; a line ends a setting); where the options do not begin with those
     * (the file changed since), the options that do not begin with {@code -} are.
     */
    static List<String> settingsOfTheFlagsFile(List<String> options) {
        String file = null;
        for (String option : options) {
            if (option.startsWith("-XX:Flags=")) {
                file = option.substring("-XX:Flags=".length());
            }
        }
        List<String> settings = new ArrayList<String>();
        if (file != null) {
            try {
                String text = new String(Files.readAllBytes(Paths.get(file)), StandardCharsets.UTF_8);
                StringBuilder setting = new StringBuilder();
                boolean between = true;
                boolean comment = false;
                char quote = 0;
                for (int i = 0; i < text.length(); i++) {
                    char c = text.charAt(i);
                    if (between) {
                        if (comment) {
                            comment = c != '\n';
                        } else if (c == '#') {
                            comment = true;
                        } else if (!Character.isWhitespace(c)) {
                            between = false;
                            setting.append(c);
                        }
                    } else if (c == '\n' || quote == 0 && Character.isWhitespace(c)) {
                        settings.add(setting.toString());
                        setting.setLength(0);
                        between = true;
                        quote = 0;
                    } else if (quote == 0 && (c == '"' || c == '\'')) {
                        quote = c;
                    } else if (c == quote) {
                        quote = 0;
                    } else {
                        setting.append(c);
                    }
                }
                if (!between) {
                    settings.add(setting.toString());
                }
            } catch (IOException | RuntimeException e) {
                settings.clear();
            }
        }
        if (!settings.isEmpty() && options.size() >= settings.size() && options.subList(0, settings.size()).equals(settings)) {
            return settings;
        }
        settings.clear();
        for (String option : options) {
            if (!option.startsWith("-")) {
                settings.add(option);
            }
        }
        return settings;
    }

    /**
     * {@code options} as a probe ({@code java <options> -version}) is given them: a JVM acts on its options even to
     * print its version, so those that name a file it writes ({@code -Xlog}'s output file, {@code -Xloggc},
     * {@code -XX:StartFlightRecording}'s {@code filename} and {@code -XX:FlightRecorderOptions}' {@code repository},
     * {@code -XX:ArchiveClassesAtExit}, {@code -XX:DumpLoadedClassList}, {@code -XX:LogFile},
     * {@code -XX:PerfDataSaveFile}, {@code -XX:SharedArchiveFile} with {@code -XX:+AutoCreateSharedArchive}) name one
     * in {@code scratch} instead: otherwise each probe truncated or rotated the user's log (with a rotation's
     * {@code filecount}, pushing out the previous run's), wrote a recording or a CDS archive of a {@code -version}
     * run, or left a file of its own pid. A recording gets a {@code filename} there where it has none (one with
     * {@code dumponexit=true} was written to the working directory), and {@code -XX:OnError} and
     * {@code -XX:OnOutOfMemoryError}, commands, are left out: a probe that failed would run them. The files
     * {@code -XX:+PerfDataSaveToFile} and {@code -XX:+LogVMOutput} write where none is named go there too. Where there is no
     * {@code scratch}, the options that would write a file are left out of the probe, passed on unchecked. A
     * {@code -XX:Flags} file is not given to the probe: its settings, which the older JVM lists among its options as
     * written in it ({@code +LogVMOutput}, {@code LogFile=vm.log}), are, as the {@code -XX:} options they are.
     */
    static List<String> forTheProbe(List<String> given, Path scratch) {
        // A -XX:Flags file's settings, which this JVM lists as written there, as the options they are, each checked and
        // rewritten as the others; the file itself is not given to the probe, which would act on the files it names.
        List<String> options = new ArrayList<String>();
        for (String option : given) {
            if (!option.startsWith("-XX:Flags=")) {
                options.add(option.startsWith("-") ? option : "-XX:" + option);
            }
        }
        List<String> probe = new ArrayList<String>();
        boolean autoCreatedArchive = options.contains("-XX:+AutoCreateSharedArchive");
        for (int i = 0; i < options.size(); i++) {
            String option = options.get(i);
            String file = scratch == null ? null : scratch.resolve("option-" + i).toString();
            if (option.startsWith("-Xlog:")) {
                List<String> parts = outsideQuotes(option.substring("-Xlog:".length()), ':');
                if (parts.size() >= 2 && !Arrays.asList("", "stdout", "stderr", "#0", "#1").contains(parts.get(1))) {
                    if (file == null) {
                        continue;
                    }
                    parts.set(1, "file=" + file);
                    option = "-Xlog:" + join(parts, ":");
                }
            } else if (option.startsWith("-Xloggc:")) {
                option = file == null ? null : "-Xloggc:" + file;
            } else if (option.equals("-XX:StartFlightRecording") || option.startsWith("-XX:StartFlightRecording=")
                    || option.startsWith("-XX:StartFlightRecording:")) {
                option = file == null ? null : withSetting(option, "-XX:StartFlightRecording", "filename", file, true);
            } else if (option.startsWith("-XX:FlightRecorderOptions=") || option.startsWith("-XX:FlightRecorderOptions:")) {
                option = file == null ? null : withSetting(option, "-XX:FlightRecorderOptions", "repository", file, false);
            } else if (option.startsWith("-XX:ArchiveClassesAtExit=") || option.startsWith("-XX:DumpLoadedClassList=")
                    || option.startsWith("-XX:LogFile=") || option.startsWith("-XX:PerfDataSaveFile=")
                    || autoCreatedArchive && option.startsWith("-XX:SharedArchiveFile=")) {
                option = file == null ? null : option.substring(0, option.indexOf('=') + 1) + file;
            } else if (option.startsWith("-XX:OnError=") || option.startsWith("-XX:OnOutOfMemoryError=")) {
                option = null;
            }
            if (option != null) {
                probe.add(option);
            }
        }
        // Where a file is asked for but not named, the JVM names one in the working directory.
        if (scratch != null && options.contains("-XX:+PerfDataSaveToFile")) {
            probe.add("-XX:PerfDataSaveFile=" + scratch.resolve("perf-data"));
        }
        if (scratch != null && options.contains("-XX:+UnlockDiagnosticVMOptions")
                && (options.contains("-XX:+LogVMOutput") || options.contains("-XX:+LogCompilation"))) {
            probe.add("-XX:LogFile=" + scratch.resolve("vm.log"));
        }
        return probe;
    }

    /**
     * {@code option}, a JFR option named {@code name} with settings {@code key=value,…}, with {@code key} set to
     * {@code value}: added where it has none if {@code add}, else left as it is.
     */
    private static String withSetting(String option, String name, String key, String value, boolean add) {
        String settings = option.length() > name.length() ? option.substring(name.length() + 1) : "";
        List<String> kept = new ArrayList<String>();
        boolean had = false;
        for (String setting : outsideQuotes(settings, ',')) {
            if (setting.startsWith(key + "=")) {
                had = true;
            } else if (!setting.isEmpty()) {
                kept.add(setting);
            }
        }
        if (!had && !add) {
            return option;
        }
        kept.add(key + "=" + value);
        return name + "=" + join(kept, ",");
    }

    /** {@code value} split at each {@code separator} outside double quotes, the quotes kept. */
    private static List<String> outsideQuotes(String value, char separator) {
        List<String> parts = new ArrayList<String>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        return parts;
    }

    private static String join(List<String> parts, String separator) {
        StringBuilder joined = new StringBuilder();
        for (String part : parts) {
            joined.append(joined.length() == 0 ? "" : separator).append(part);
        }
        return joined.toString();
    }

    /**
     * The JDWP agent option among {@code options} that listens on a port of its own ({@code server=y} and an
     * {@code address} with a port other than 0), or null: this JVM listens there already, and the child, given
     * the same option, would end at once unable to bind it.
     */
    static String listeningDebugger(List<String> options) {
        for (String option : options) {
            String settings = option.startsWith("-agentlib:jdwp=") ? option.substring("-agentlib:jdwp=".length())
                    : option.startsWith("-Xrunjdwp:") ? option.substring("-Xrunjdwp:".length()) : null;
            if (settings == null) {
                continue;
            }
            boolean server = false;
            String port = null;
            for (String setting : settings.split(",")) {
                if (setting.equals("server=y")) {
                    server = true;
                } else if (setting.startsWith("address=")) {
                    port = setting.substring(setting.lastIndexOf(':') >= 0 ? setting.lastIndexOf(':') + 1 : "address=".length());
                }
            }
            if (server && port != null && port.matches("\\d+") && Integer.parseInt(port) != 0) {
                return option;
            }
        }
        return null;
    }

    /**
     * The option among {@code options} that has this JVM, started with it too, write the very file the child writes,
     * or null: {@code -XX:ArchiveClassesAtExit}, whose archive of this JVM's classes, dumped as it exits after the
     * child, and of its version, the newer java refuses to map ('Cannot handle shared archive file version'), and
     * {@code -XX:DumpLoadedClassList}, whose lines this JVM writes at its own offset into the list the child wrote
     * from the start, running into the child's.
     */
    static String fileWrittenByBoth(List<String> options) {
        for (String option : options) {
            // with -XX: or without, as a -XX:Flags file's setting is listed
            String flag = option.startsWith("-XX:") ? option.substring("-XX:".length()) : option;
            if (flag.startsWith("ArchiveClassesAtExit=") || flag.startsWith("DumpLoadedClassList=")) {
                return option;
            }
        }
        return null;
    }

    /**
     * The {@code -XX:Flags} option among {@code options} whose file the JVM read, the last; {@code -XX:Flags} where there
     * is none.
     */
    private static String flagsFile(List<String> options) {
        String flagsFile = "-XX:Flags";
        for (String option : options) {
            if (option.startsWith("-XX:Flags=")) {
                flagsFile = option;
            }
        }
        return flagsFile;
    }

    private static boolean isAgent(String option) {
        return option.startsWith("-javaagent:") || option.startsWith("-agentlib:") || option.startsWith("-agentpath:")
                || option.startsWith("-Xrun");
    }

    /** What a probe ({@link #probe}) found of the options it was given. */
    private enum Probe {
        TAKEN, REFUSED,
        /** It could not reserve or commit the memory they ask for: they are not refused, and may do in the child. */
        SHORT_OF_MEMORY
    }

    /** The words of a JVM that could not get the memory it needs to start, as it prints them. */
    private static final String[] SHORT_OF_MEMORY = {"insufficient memory for the Java Runtime Environment",
        "Could not reserve enough space", "Cannot allocate memory", "Not enough space", "java.lang.OutOfMemoryError"};

    /**
     * Whether {@code java} starts with {@code options}: taken where its {@code -version} with them exits 0; otherwise
     * refused, unless what it printed says it could not get memory ({@code -Xms8g} on a machine under strict
     * overcommit, short of 8 GB at that moment), which is no refusal of the options: left out, the child got a
     * default heap and the user a line blaming an option the newer java takes. The probe's heap is
     * not touched: {@code -XX:+AlwaysPreTouch} among them would have it write to each page of a heap as large as
     * the child's ({@code -Xms8g}: 8 GB) beside this JVM's, so it is turned off after them. {@code -Xms} itself stays,
     * checked as the child gets it: without the pre-touch the probe's heap is committed but none of its pages is
     * written, and it is given back as the probe exits, a moment later. The files its options name are in
     * {@code scratch} ({@link #forTheProbe}), its error report too where it fails to get memory
     * ({@code hs_err_pid*.log}, else written to the working directory), and it dumps no core.
     */
    private static Probe probe(String java, List<String> options, Path scratch) throws IOException, InterruptedException {
        List<String> command = new ArrayList<String>();
        command.add(java);
        command.addAll(forTheProbe(options, scratch));
        command.add("-XX:-AlwaysPreTouch");
        if (scratch != null) {
            command.add("-XX:ErrorFile=" + scratch.resolve("hs_err_pid%p.log"));
        }
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-version");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Only the options given: not those the environment would add to every JVM.
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        Process probe;
        synchronized (CHECK) {
            if (checkEnded) {
                // the JVM is ending, and its check with it: nothing left out for a probe never run
                return Probe.TAKEN;
            }
            probe = builder.start();
            probeRunning = probe;
        }
        Probe found;
        try {
            found = found(probe);
        } finally {
            synchronized (CHECK) {
                probeRunning = null;
            }
        }
        synchronized (CHECK) {
            // one that endCheck ended refused nothing
            return checkEnded ? Probe.TAKEN : found;
        }
    }

    /** What {@code probe}, started, found. */
    private static Probe found(Process probe) throws IOException, InterruptedException {
        probe.getOutputStream().close();
        InputStream output = probe.getInputStream();
        // its version and any warnings, not the user's to see; the first 64 KB kept, to tell why it failed
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            byte[] buffer = new byte[4096];
            int read;
            while ((read = output.read(buffer)) >= 0) {
                printed.write(buffer, 0, Math.max(0, Math.min(read, 65536 - printed.size())));
            }
        } finally {
            output.close();
        }
        if (probe.waitFor() == 0) {
            return Probe.TAKEN;
        }
        String said = new String(printed.toByteArray(), StandardCharsets.UTF_8);
        if (said.contains("Unrecognized")) {
            // an option it does not know, whatever else it said ('Unrecognized VM option 'ExitOnOutOfMemoryError'')
            return Probe.REFUSED;
        }
        for (String words : SHORT_OF_MEMORY) {
            if (said.contains(words)) {
                return Probe.SHORT_OF_MEMORY;
            }
        }
        return Probe.REFUSED;
    }

    /**
     * A new empty file for {@link #STOPS_PASSED_ON}: in the temp directory, or where that takes none (read-only, as
     * under systemd's {@code ProtectSystem=strict}) in {@code XDG_RUNTIME_DIR} or {@code /dev/shm}; null where none
     * of them does, and the child falls back to its 2 s window.
     */
    private static Path stopsFile() {
        return createTemp(false);
    }

    /**
     * A new empty file, or {@code directory}, in the temp directory, or where that takes none (read-only, as under
     * systemd's {@code ProtectSystem=strict}) in {@code XDG_RUNTIME_DIR} or {@code /dev/shm}; null where none of them
     * does.
     */
    private static Path createTemp(boolean directory) {
        try {
            return directory ? Files.createTempDirectory("jobq-launcher-") : Files.createTempFile("jobq-launcher-", ".stops");
        } catch (IOException | RuntimeException e) {
            for (String dir : new String[] {System.getenv("XDG_RUNTIME_DIR"), "/dev/shm"}) {
                if (dir != null && !dir.isEmpty()) {
                    try {
                        return directory ? Files.createTempDirectory(Paths.get(dir), "jobq-launcher-")
                                : Files.createTempFile(Paths.get(dir), "jobq-launcher-", ".stops");
                    } catch (IOException | RuntimeException other) {
                        // the next one
                    }
                }
            }
            return null;
        }
    }

    /**
     * Adds one byte to {@code stopsPassedOn} before a TERM goes to the child: written first, it is there when
     * the child handles that TERM. One lock, as TERM and INT are handled on threads of their own.
     */
    private static synchronized void countStop(Path stopsPassedOn) {
        if (stopsPassedOn == null) {
            return;
        }
        try (OutputStream out = Files.newOutputStream(stopsPassedOn, StandardOpenOption.APPEND)) {
            out.write('.');
        } catch (IOException | RuntimeException e) {
            // The child takes that TERM for one of its own: a second stop, if it came with one (a full disk).
        }
    }

    private static void delete(Path stopsPassedOn) {
        if (stopsPassedOn != null) {
            try {
                Files.deleteIfExists(stopsPassedOn);
            } catch (IOException | RuntimeException e) {
                // a file of a few bytes left in the temp directory
            }
        }
    }

    /** Deletes {@code directory} and what is in it, as far as it can. */
    private static void deleteAll(Path directory) {
        if (directory == null) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<Path>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            // what is left stays in the temp directory
        }
    }

    /**
     * Runs {@code action} on the signal {@code name} in place of the JVM's default (which exits),
     * through {@code sun.misc.Signal}, by reflection: this class is compiled for Java 8, whose
     * {@code --release} API has no {@code sun.misc}, and every JDK has it at run time (module
     * {@code jdk.unsupported} since 9). A signal the parent ignored stays ignored (the JVM leaves it
     * so). Answers false where it cannot be caught: under {@code -Xrs} the JVM leaves TERM and INT to the
     * operating system's default, which ends this JVM at once, without its shutdown hooks.
     */
    private static boolean passOn(String name, final Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            Object handler = Proxy.newProxyInstance(Launcher.class.getClassLoader(), new Class<?>[] {handlerClass},
                    new InvocationHandler() {
                        @Override
                        public Object invoke(Object proxy, Method method, Object[] arguments) {
                            if ("handle".equals(method.getName())) {
                                action.run();
                                return null;
                            }
                            if ("equals".equals(method.getName())) {
                                return proxy == arguments[0];
                            }
                            if ("hashCode".equals(method.getName())) {
                                return System.identityHashCode(proxy);
                            }
                            return "jobq launcher's SIG" + name + " handler";
                        }
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            // Among them IllegalArgumentException from handle(): the signal is not the JVM's to give (-Xrs).
            return false;
        }
    }
}

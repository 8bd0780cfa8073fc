package dev.jobq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.cli.context.QueueOpener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class JobqCommandTest {

    @Test
    void helpListsTheCommandsAndExitsZero() {
        var run = CommandRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: jobq").contains("demo", "--version")
                .contains("run", "enqueue", "schedule", "recurring", "dead-letters", "stats", "config")
                .contains("Exit status: 0 done, 1 failed at run time, 2 bad usage or configuration,")
                .contains("128 + N ended by signal N (143 TERM, 130 INT); jobq run drains on the first");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "enqueue", "schedule", "schedule list", "schedule add", "schedule cancel",
            "recurring", "recurring list", "recurring add", "recurring enable", "recurring disable", "recurring delete",
            "dead-letters", "dead-letters list", "dead-letters redrive", "dead-letters delete", "stats", "config",
            "config check", "demo"})
    void everyCommandHasHelp(String command) {
        var run = CommandRun.of(withArgs(command, "--help"));

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: jobq " + command);
        assertThat(run.err()).isEmpty();
    }

    @Test
    void everyCommandsDescriptionIsPrintedAsWrittenNotRewrappedMidLine() {
        var commandLine = JobqCommand.commandLine(CommandRun.context(Map.of(), QueueOpener.building()));
        var commands = new ArrayList<CommandLine>(List.of(commandLine));
        for (int i = 0; i < commands.size(); i++) {
            commands.addAll(commands.get(i).getSubcommands().values());
        }

        commands.removeIf(command -> command.getCommand() instanceof CommandLine.HelpCommand); // picocli's own
        for (CommandLine command : commands) {
            List<String> helpLines = command.getUsageMessage().lines().map(String::strip).toList();
            assertThat(helpLines).as("jobq %s --help", command.getCommandName())
                    .contains(command.getCommandSpec().usageMessage().description());
        }
    }

    /**
     * A path or an example in an option's description ({@code ./jobq.yaml}, {@code '{"to":"user@example.com"}'}) is
     * printed on one line: picocli may wrap at a dot inside a word, and a line that ended {@code ./jobq.} or
     * {@code user@example.} before {@code yaml)} or {@code com"}'} could not be copied into a command as it read.
     */
    @Test
    void everyOptionsPathsAndExamplesArePrintedWholeOnOneLine() {
        var commandLine = JobqCommand.commandLine(CommandRun.context(Map.of(), QueueOpener.building()));
        var commands = new ArrayList<CommandLine>(List.of(commandLine));
        for (int i = 0; i < commands.size(); i++) {
            commands.addAll(commands.get(i).getSubcommands().values());
        }

        // the width jobq --help prints at (picocli's 80, for no picocli.usage.width): at 200 nothing wraps, and the
        // test passed whatever picocli did at 80
        assertThat(commandLine.getUsageHelpWidth()).as("the help's width").isEqualTo(80);
        var dottedWord = Pattern.compile("\\S+\\.[^\\s.]\\S*");
        var checked = new ArrayList<String>();
        for (CommandLine command : commands) {
            List<String> helpLines = command.getUsageMessage().lines().toList();
            for (CommandLine.Model.ArgSpec arg : command.getCommandSpec().args()) {
                for (String description : arg.description()) {
                    var words = dottedWord.matcher(description);
                    while (words.find()) {
                        String word = words.group().replaceAll("[).,;]+$", "");
                        checked.add(word);
                        assertThat(linesOf(helpLines, arg)).as("jobq %s --help, the description of %s",
                                command.getCommandName(), arg.paramLabel())
                                .anySatisfy(line -> assertThat(line).contains(word));
                    }
                }
            }
        }
        // not passed for finding no word: the two that were split, read from the descriptions as the others are
        assertThat(checked).as("the words checked").contains("./jobq.yaml", "'{\"to\":\"user@example.com\"}'");
    }

    /**
     * A command's description is printed from the line's start, and jobq run's has a line that starts with an option
     * ("--max-jobs N or --max-time D drains and exits 0 …"): taken as that option's, with none under it, a path or
     * an example in the option's own description was looked for in that line alone, failing a help that printed it
     * whole, or passing one that split it if the description had it.
     */
    @Test
    @DisplayName("an option's lines in a help are its own, not a line of the command's description that starts with it")
    void anOptionsLinesAreItsOwnNotADescriptionLineStartingWithItsName() {
        var run = JobqCommand.commandLine(CommandRun.context(Map.of(), QueueOpener.building())).getSubcommands()
                .get("run");
        List<String> helpLines = run.getUsageMessage().lines().toList();

        assertThat(helpLines).as("the line this is about").contains("--max-jobs N or --max-time D drains and exits 0 "
                + "the same way by itself, for");
        assertThat(linesOf(helpLines, run.getCommandSpec().findOption("--max-jobs")).getFirst())
                .as("the first line of --max-jobs").startsWith("      --max-jobs=N ");
    }

    /**
     * The lines of a help text that list {@code arg}: the one that starts with its name (an option's, such as
     * {@code -c, --config=FILE}, or a parameter's label) and those under it indented past where an option or parameter
     * starts. Any line of the help would do for a word another option or the footer also has, split in this one.
     */
    private static List<String> linesOf(List<String> helpLines, CommandLine.Model.ArgSpec arg) {
        List<String> names = arg instanceof CommandLine.Model.OptionSpec option ? List.of(option.names())
                : List.of(arg.paramLabel());
        int first = 0;
        // not the usage's, indented past an option, nor the command's description's, not indented at all
        while (first < helpLines.size() && (indentation(helpLines.get(first)) > OPTION_INDENT
                || indentation(helpLines.get(first)) == 0 || !listsFirst(helpLines.get(first).strip(), names))) {
            first++;
        }
        assertThat(first).as("the line of %s in%n%s", names, String.join("\n", helpLines))
                .isLessThan(helpLines.size());
        int end = first + 1;
        while (end < helpLines.size() && indentation(helpLines.get(end)) > OPTION_INDENT) {
            end++;
        }
        return helpLines.subList(first, end);
    }

    private static boolean listsFirst(String line, List<String> names) {
        return names.stream().anyMatch(name -> line.equals(name) || line.startsWith(name + " ")
                || line.startsWith(name + "=") || line.startsWith(name + ","));
    }

    /**
     * The most an option's or a parameter's first line is indented in a help text ({@code "      --queue"}); the least
     * is 1 ({@code "  -c, --config"}): a line of the command's description starts at 0.
     */
    private static final int OPTION_INDENT = 6;

    private static int indentation(String line) {
        return line.length() - line.stripLeading().length();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "schedule --help", "recurring --help", "dead-letters --help", "config --help"})
    void commandListsGiveEachCommandAWholeSentence(String help) {
        var run = CommandRun.of(help.split(" "));

        assertThat(commandSummaries(run.out())).isNotEmpty().allSatisfy((command, summary) ->
                assertThat(summary).as(command).endsWith("."));
    }

    @Test
    void aCommandsOwnHelpHasItsSummaryAndTheDetails() {
        var run = CommandRun.of("run", "--help");

        assertThat(run.out()).startsWith("Runs a worker on the configured queues until TERM or INT.")
                .contains("Usage: jobq run").contains("a second TERM or INT exits at once.");
    }

    /** The "Commands:" section of a help text: each command with its summary, wrapped lines joined. */
    private static Map<String, String> commandSummaries(String help) {
        Map<String, String> summaries = new LinkedHashMap<>();
        String current = null;
        boolean inCommands = false;
        for (String line : help.split("\\R")) {
            if (line.equals("Commands:")) {
                inCommands = true;
            } else if (inCommands && line.isBlank()) {
                break;
            } else if (inCommands && line.matches(" {2}\\S.*")) {
                String[] nameAndSummary = line.strip().split("\\s+", 2);
                current = nameAndSummary[0];
                summaries.put(current, nameAndSummary.length > 1 ? nameAndSummary[1] : "");
            } else if (inCommands && current != null) {
                summaries.merge(current, line.strip(), (before, more) -> before + " " + more);
            }
        }
        return summaries;
    }

    @ParameterizedTest
    @ValueSource(strings = {"schedule", "recurring", "dead-letters", "config"})
    void groupWithoutSubcommandIsAUsageErrorListingThem(String group) {
        var run = CommandRun.of(group);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing a subcommand").contains("Usage: jobq " + group);
    }

    /**
     * A subcommand's option given to its group, the subcommand left out or put after it: picocli said "Unknown options:
     * '--queue', 'jobs'" of an option the command's own help lists, and named no subcommand.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dead-letters --queue jobs|'--queue' is an option of jobq dead-letters list, redrive and delete, not of jobq "
                    + "dead-letters itself: give the command first, e.g. jobq dead-letters list --queue QUEUE",
            "dead-letters --queue=jobs list|'--queue' is an option of jobq dead-letters list, redrive and delete",
            "schedule --config jobq.yaml|'--config' is an option of jobq schedule list, add and cancel, not of jobq "
                    + "schedule itself: give the command first, e.g. jobq schedule list --config FILE",
            "recurring --timezone UTC|'--timezone' is an option of jobq recurring add, not of jobq recurring itself: "
                    + "give the command first, e.g. jobq recurring add --timezone ZONE",
            "--config jobq.yaml stats|'--config' is an option of jobq run, enqueue and stats, not of jobq itself: give the "
                    + "command first, e.g. jobq stats --config FILE"})
    void aSubcommandsOptionGivenToItsGroupNamesTheSubcommands(String line, String message) {
        var run = CommandRun.of(line.split(" "));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(message).doesNotContain("Unknown option");
    }

    /**
     * An option of a group's commands given before the group ({@code jobq --config jobq.yaml schedule list}): jobq's
     * own commands that take it were named instead, and the example was {@code jobq run --config FILE}, which starts a
     * worker where the user meant to list scheduled jobs.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--config jobq.yaml schedule list|'--config' is an option of jobq schedule list, add and cancel, not of jobq "
                    + "itself: give the command first, e.g. jobq schedule list --config FILE",
            "--queue jobs dead-letters list|'--queue' is an option of jobq dead-letters list, redrive and delete, not of "
                    + "jobq itself: give the command first, e.g. jobq dead-letters list --queue QUEUE",
            "-c jobq.yaml recurring enable nightly|'-c' is an option of jobq recurring list, add, enable, disable and "
                    + "delete, not of jobq itself: give the command first, e.g. jobq recurring enable -c FILE"})
    void aSubcommandsOptionGivenBeforeItsGroupNamesThatGroupsCommands(String line, String message) {
        var run = CommandRun.of(line.split(" "));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).hasValue(message);
        assertThat(run.err()).contains("Usage: jobq [-hV] [COMMAND]");
    }

    @Test
    void unknownCommandIsAUsageErrorThatNamesIt() {
        var run = CommandRun.of("wrok");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument at index 0: 'wrok'");
    }

    @Test
    void demoHelpDescribesItsOptionsAndExitsZero() {
        var run = CommandRun.of("demo", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Runs a self-contained demo")
                .contains("Usage: jobq demo", "--jobs=N", "--concurrency=N", "default: 200");
    }

    @Test
    void helpSubcommandShowsTheDemoUsage() {
        var run = CommandRun.of("help", "demo");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Runs a self-contained demo").contains("Usage: jobq demo");
    }

    @Test
    void helpFollowsASubcommandsPathAndRefusesOneItDoesNotHave() {
        // picocli's help command read only its first name: "help dead-letters list" showed the group's usage, and
        // "help dead-letters nosuch" did too, exit 0.
        var list = CommandRun.of("help", "dead-letters", "list");
        var unknown = CommandRun.of("help", "dead-letters", "nosuch");

        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains("Usage: jobq dead-letters list").doesNotContain("Usage: jobq dead-letters [");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("'nosuch'", "jobq dead-letters", "list, redrive, delete");
    }

    @Test
    void helpPastACommandWithoutSubcommandsNamesThePathToThatCommand() {
        // The path was cut at the first occurrence of the unknown name: "help run run" said "try jobq help ".
        var twice = CommandRun.of("help", "run", "run");
        var listTwice = CommandRun.of("help", "dead-letters", "list", "list");

        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("Unknown command 'run' of 'jobq run', which has no subcommands; try jobq help "
                + "run\n");
        assertThat(listTwice.err()).contains("which has no subcommands; try jobq help dead-letters list\n");
    }

    @Test
    void helpRefusesAnUnknownOptionWithStatusTwo() {
        // picocli parses a help command leniently: "help run --x" dropped --x, printed run's usage and exited 0.
        var run = CommandRun.of("help", "run", "--x");

        assertThat(run.exitCode()).as("operations.md: an unknown option is status 2").isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--x'").contains("Usage: jobq help");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void versionNamesTheBuiltVersion() {
        var run = CommandRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("^jobq \\d+\\.\\d+\\.\\d+").doesNotContain("${");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "enqueue", "schedule add", "recurring list", "dead-letters redrive", "stats",
            "config check", "demo"})
    void everyCommandsVersionOptionPrintsTheVersionAsItsHelpSays(String command) {
        var run = CommandRun.of(withArgs(command, "--version"));

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(CommandRun.of("--version").out()).containsPattern("^jobq \\d+\\.\\d+\\.\\d+");
    }

    @Test
    void unknownOptionIsAUsageErrorThatNamesIt() {
        var run = CommandRun.of("demo", "--bogus");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--bogus'").contains("Usage: jobq demo");
        assertThat(run.out()).isEmpty();
    }

    /**
     * picocli's own refusals repeat the argument as given: {@code jobq run --x$'\e[31m'} wrote "Unknown option:
     * '--x" and an ANSI sequence that repainted the terminal, as did a command not known and a number not one. A
     * refusal of jobq's own that names no option or value (help's unknown command) is escaped too: made again with
     * the option and value it lacks, it threw picocli's "ArgSpec and value cannot both be null" and printed its trace.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "demo|--jobz\u001b[31m|Unknown option: '--jobz\\u001b[31m'|Possible solutions: --jobs",
            "demp\u001b]0;x\u0007y|-|Unmatched argument at index 0: 'demp\\u001b]0;x\\u0007y'|Did you mean: jobq demo",
            "demo|--jobs=1\u001b[2J|'1\\u001b[2J' is not a whole number|Usage: jobq demo",
            "help|x\u001b[31m|Unknown command 'x\\u001b[31m' of 'jobq'; it has: |Usage: jobq help"})
    void picocliRefusalsRepeatTheArgumentEscapedAndKeepTheirSuggestions(String first, String second, String said,
                                                                         String then) {
        var run = "-".equals(second) ? CommandRun.of(first) : CommandRun.of(first, second);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(said, then).doesNotContain("\u001b", "\u0007");
    }

    @Test
    void outOfRangeJobCountIsAUsageErrorThatNamesTheValue() {
        var run = CommandRun.of("demo", "--jobs", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--jobs must be between 1 and 1000000, got 0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "demo --concurrency abc | --concurrency | 'abc' is not a whole number; write it in digits, e.g. 10",
            "demo --jobs 1e3 | --jobs | '1e3' is not a whole number; write it in digits, e.g. 10",
            "enqueue t --payload {} --priority x | --priority | 'x' is not a whole number; write it in digits, e.g. 10",
            "enqueue t --payload {} --max-attempts 2.5 | --max-attempts | '2.5' is not a whole number; write it in digits, e.g. 10",
            "schedule list --limit 99999999999 | --limit | '99999999999' is too large: at most 2147483647",
            "run --http-port x | --http-port | 'x' is not a whole number; write it in digits, e.g. 10",
            "run --health-backlog lots | --health-backlog | 'lots' is not a whole number; write it in digits, e.g. 10",
            "run --health-backlog 99999999999999999999 | --health-backlog | '99999999999999999999' is too large: at most 9223372036854775807"})
    void aNumberOptionGivenSomethingElseSaysWhatItTakes(String args, String option, String problem) {
        var run = CommandRun.of(args.split(" "));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '" + option + "': " + problem + System.lineSeparator());
    }

    /**
     * An option whose own range ends below Java's int (a port, a concurrency) names that range for a number too big
     * for an int too: "at most 2147483647" sent the user to a value the option refuses in turn.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "run --http-port 99999999999 | --http-port must be between 0 and 65535, got 99999999999",
            "run --http-port 99999999999999999999 | --http-port must be between 0 and 65535, got 99999999999999999999",
            "run --concurrency 99999999999 | --concurrency must be ≤ 100000, got 99999999999; for more handlers at once, "
                    + "run more worker processes",
            "demo --jobs 99999999999 | --jobs must be between 1 and 1000000, got 99999999999",
            "demo --concurrency -99999999999 | --concurrency must be between 1 and 10000, got -99999999999"})
    void aNumberTooBigForAnIntIsToldTheOptionsOwnRange(String args, String problem) {
        var run = CommandRun.of(args.split(" "));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(problem + System.lineSeparator());
    }

    @ParameterizedTest
    @CsvSource({"stats", "dead-letters list", "dead-letters redrive some-id", "dead-letters delete some-id"})
    @DisplayName("an empty --queue (a shell variable that was not set) of stats and dead-letters is a usage error with "
            + "the fix, as enqueue's is, not an unknown queue '' to add under queues:")
    void anEmptyQueueOfStatsAndDeadLettersIsAUsageErrorWithTheFix(String command, @TempDir Path dir) throws Exception {
        // It said: jobq stats: unknown queue '' (configured: default); add it under 'queues:' in jobq.yaml or with
        // JobQueue.builder().queue(...)
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");
        var run = CommandRun.of(withArgs(command, "--queue", "", "--config", config.toString()));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--queue': it is empty; give a configured queue's "
                + "name, or leave the option out");
    }

    @ParameterizedTest
    @CsvSource({"enqueue t", "stats", "dead-letters list"})
    @DisplayName("an unknown --queue of a queue that opened names the config file read as the one to add it to, not "
            + "jobq.yaml, as it does while the provider is out of reach")
    void anUnknownQueueNamesTheConfigFileRead(String command, @TempDir Path dir) throws Exception {
        // It said: jobq enqueue: unknown queue 'nope' (configured: default); add it under 'queues:' in jobq.yaml or
        // with JobQueue.builder().queue(...), whatever --config said
        Path config = Files.writeString(dir.resolve("prod.yaml"), "provider: { type: memory }\n");
        var run = CommandRun.of(withArgs(command, "--queue", "nope", "--config", config.toString()));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("unknown queue 'nope' (configured: default); add it under 'queues:' in "
                + config + " or with JobQueue.builder().queue(...)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dead-letters redrive | (ID): it is empty; give a dead job's id, as jobq dead-letters list shows them",
            "dead-letters delete | (ID): it is empty; give a dead job's id, as jobq dead-letters list shows them",
            "schedule cancel | (ID): it is empty; give a scheduled job's id, as jobq schedule list shows them",
            "recurring enable | (NAME): it is empty; give a recurring job's name, as jobq recurring list shows them",
            "recurring disable | (NAME): it is empty; give a recurring job's name, as jobq recurring list shows them",
            "recurring delete | (NAME): it is empty; give a recurring job's name, as jobq recurring list shows them"})
    @DisplayName("an empty id or name (a shell variable that was not set) is a usage error, exit 2, before anything "
            + "is read or connected, not an unknown id, exit 1")
    void emptyIdOrNameIsAUsageError(String command, String problem) {
        var run = CommandRun.of(withArgs(command, ""));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for positional parameter at index 0 " + problem
                + System.lineSeparator());
    }

    @Test
    @DisplayName("an argument Java could not read in the process's locale (cron, a systemd unit: no LANG, so ASCII) is a "
            + "usage error naming it and the fix, not a job enqueued with U+FFFD in place of its letters")
    void anArgumentTheLocaleCouldNotDecodeIsAUsageErrorWithTheFix(@TempDir Path dir) throws Exception {
        // Under LC_ALL=C, `jobq enqueue 'zoë:greet' --payload '{"name":"Zoë"}'` reached the command as zo\ufffd\ufffd:greet
        // and "Zo\ufffd\ufffd": it enqueued that job (exit 0), which no handler took and whose name was lost.
        Path config = Files.writeString(dir.resolve("jobq.yaml"), "provider: { type: memory }\n");
        String[] args = {"enqueue", "zo\ufffd\ufffd:greet", "--payload", "{\"name\":\"Zo\ufffd\ufffd\"}", "--config",
                config.toString()};
        var out = new StringWriter();
        var err = new StringWriter();
        var ascii = JobqCommand.commandLine(CommandRun.context(Map.of("LANG", "C"), QueueOpener.building()),
                StandardCharsets.US_ASCII);
        ascii.setOut(new PrintWriter(out, true));
        ascii.setErr(new PrintWriter(err, true));

        int exitCode = ascii.execute(args);

        assertThat(exitCode).as(err.toString()).isEqualTo(2);
        assertThat(out.toString()).as("nothing enqueued, no id printed").isEmpty();
        assertThat(err.toString()).startsWith("jobq enqueue: argument 2 of the command line, 'zo\\ufffd\\ufffd:greet', lost "
                        + "characters: Java read the command line in US-ASCII, the encoding of this process's locale "
                        + "(LANG=C), and put U+FFFD (\\ufffd) in place of each byte it could not read; nothing was "
                        + "done. Run jobq with a UTF-8 locale, e.g. LC_ALL=C.UTF-8 java -jar jobq.jar ... (systemd: "
                        + "Environment=LC_ALL=C.UTF-8; cron: a line LC_ALL=C.UTF-8 in the crontab)")
                .doesNotContain("Usage:");
        // the same argument read in UTF-8 is the user's own U+FFFD: taken as it is
        assertThat(CommandRun.of(args).exitCode()).isZero();
    }

    @Test
    @DisplayName("a value the locale could not read that an option then refuses is told as the locale's problem, with "
            + "the fix, not as a bad value")
    void aValueTheLocaleCouldNotReadThatAnOptionRefusesIsToldAsTheLocalesProblem() {
        // It said: Invalid value for option '--timezone': 'Europe/Z??rich' is not a time zone; use an IANA name such as …
        var err = new StringWriter();
        var ascii = JobqCommand.commandLine(CommandRun.context(Map.of(), QueueOpener.building()),
                StandardCharsets.US_ASCII);
        ascii.setErr(new PrintWriter(err, true));

        int exitCode = ascii.execute("recurring", "add", "x", "t", "--schedule", "@daily", "--timezone",
                "Europe/Z\ufffd\ufffdrich");

        assertThat(exitCode).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).startsWith("argument 8 of the command line, 'Europe/Z\\ufffd\\ufffdrich', lost "
                + "characters: Java read the command line in US-ASCII, the encoding of this process's locale (LC_ALL, "
                + "LC_CTYPE and LANG unset)");
    }

    @Test
    @DisplayName("a long argument the locale could not read is cut with '...', as the launcher cuts it: the message is "
            + "in ASCII alone for a locale that reads ASCII, where '…' is bytes it cannot show")
    void aLongArgumentTheLocaleCouldNotReadIsCutInAscii() {
        var err = new StringWriter();
        var ascii = JobqCommand.commandLine(CommandRun.context(Map.of("LC_ALL", "C"), QueueOpener.building()),
                StandardCharsets.US_ASCII);
        ascii.setErr(new PrintWriter(err, true));
        String start = "{\"name\":\"Zo\ufffd\ufffd\",\"note\":\"";
        String payload = start + "x".repeat(300) + "\"}";

        int exitCode = ascii.execute("enqueue", "greet", "--payload", payload);

        assertThat(exitCode).as(err.toString()).isEqualTo(2);
        assertThat(err.toString()).startsWith("jobq enqueue: argument 4 of the command line, '"
                + start.replace("\ufffd", "\\ufffd") + "x".repeat(200 - start.length()) + "...', lost characters: "
                + "Java read the command line in US-ASCII");
        assertThat(StandardCharsets.US_ASCII.newEncoder().canEncode(err.toString())).as(err.toString()).isTrue();
    }

    @Test
    void noCommandIsAUsageError() {
        var run = CommandRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing a command; try `jobq run`, `jobq demo` or `jobq --help`")
                .contains("Usage: jobq");
    }

    /** The words of {@code command}, then {@code more}. */
    private static String[] withArgs(String command, String... more) {
        String[] words = command.split(" ");
        String[] args = Arrays.copyOf(words, words.length + more.length);
        System.arraycopy(more, 0, args, words.length, more.length);
        return args;
    }
}

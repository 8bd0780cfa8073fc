package dev.jobq.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.jobq.cli.CommandRun;
import dev.jobq.cli.JobqCommand;
import dev.jobq.cli.context.QueueOpener;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The {@code jobq} command lines docs/coming-from.md gives beside the other systems' ({@code sidekiq -q
 * critical -c 10}, {@code queue:work --max-jobs=1000}): each names a command jobq has, each option it
 * names is an option of that command, and a line written in full (no placeholder) is accepted as written.
 */
class ComingFromCommandsTest {

    private static final Page COMING_FROM = Page.of("docs/coming-from.md");

    /** Every inline code span of the page that starts with {@code jobq }, without the {@code jobq }. */
    private static Set<String> commandLines() {
        Set<String> lines = new LinkedHashSet<>();
        Matcher span = Pattern.compile("`jobq ([^`]+)`").matcher(COMING_FROM.text());
        while (span.find()) {
            lines.add(span.group(1).strip());
        }
        return lines;
    }

    private static CommandLine root() {
        return JobqCommand.commandLine(CommandRun.context(Map.of(), QueueOpener.building()));
    }

    /** The deepest command the words name ("recurring add", "stats"), and the words after it. */
    private static CommandLine commandOf(List<String> words, List<String> rest) {
        CommandLine command = root();
        int i = 0;
        while (i < words.size() && command.getSubcommands().containsKey(words.get(i))) {
            command = command.getSubcommands().get(words.get(i));
            i++;
        }
        assertThat(i).as("jobq %s: a command jobq has", String.join(" ", words)).isPositive();
        rest.addAll(words.subList(i, words.size()));
        return command;
    }

    @Test
    void everyJobqCommandThePageNamesExists_andTakesTheOptionsItNames() {
        Set<String> lines = commandLines();
        assertThat(lines).as("the page's jobq command lines").contains("stats", "run --http-port",
                "run --queues critical,default --concurrency 10", "run --max-jobs 1000", "run --max-time 1h",
                "recurring add");
        for (String line : lines) {
            List<String> rest = new ArrayList<>();
            CommandLine command = commandOf(List.of(line.split("\\s+")), rest);
            for (String word : rest) {
                if (word.startsWith("--")) {
                    assertThat(command.getCommandSpec().findOption(word))
                            .as("jobq %s: %s is an option of jobq %s", line, word, command.getCommandName()).isNotNull();
                }
            }
        }
    }

    @Test
    void everyJobqCommandLineWrittenInFullIsAcceptedAsWritten() {
        int parsed = 0;
        for (String line : commandLines()) {
            List<String> words = List.of(line.split("\\s+"));
            boolean placeholder = words.stream().anyMatch(w -> w.matches("[A-Z]+") || w.contains("…"));
            boolean givesValues = words.stream().anyMatch(w -> !w.startsWith("-") && w.matches(".*[0-9,].*"));
            if (placeholder || !givesValues) {
                continue;
            }
            parsed++;
            assertThatCode(() -> root().parseArgs(words.toArray(String[]::new)))
                    .as("jobq %s, as docs/coming-from.md writes it", line).doesNotThrowAnyException();
        }
        // run --queues critical,default --concurrency 10, --max-time 6h, --max-jobs 1000, --max-time 1h, --queues high,default
        assertThat(parsed).isGreaterThanOrEqualTo(5);
    }

    @Test
    void theMaxTimeAndMaxJobsThePageGivesAreTakenByRun() {
        var parsed = root().parseArgs("run", "--max-time", "6h", "--max-jobs", "1000", "--concurrency", "10");
        CommandLine.ParseResult run = parsed.subcommand();
        assertThat(run.matchedOptionValue("--max-time", (Object) null)).isNotNull();
        assertThat(run.matchedOptionValue("--max-jobs", (Object) null)).isNotNull();
        assertThat(run.matchedOptionValue("--concurrency", (Object) null)).isNotNull();
    }
}

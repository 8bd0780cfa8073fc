package dev.jobq.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.cli.CommandRun;
import dev.jobq.cli.JobqCommand;
import dev.jobq.cli.context.QueueOpener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands of docs/operations.md's table and what the page says every command takes, against the jobq command. */
class CommandsPageTest {

    @TempDir
    Path dir;

    private static final Page OPERATIONS = Page.of("docs/operations.md");

    /** Every command line that runs something (leaves of the command tree), e.g. "dead-letters list". */
    private static List<String> leafCommands() {
        CommandLine root = JobqCommand.commandLine(CommandRun.context(Map.of(), QueueOpener.building()));
        List<String> leaves = new ArrayList<>();
        root.getSubcommands().forEach((name, sub) -> {
            if (sub.getSubcommands().isEmpty()) {
                leaves.add(name);
            } else {
                sub.getSubcommands().keySet().forEach(leaf -> leaves.add(name + " " + leaf));
            }
        });
        leaves.remove("help");
        return leaves;
    }

    @Test
    void everyCommandInTheTableExists_andEveryCommandIsInTheTable() {
        List<String> tabled = new ArrayList<>();
        Matcher row = Pattern.compile("\n\\| `jobq ([^`]+)` \\|").matcher(OPERATIONS.text());
        while (row.find()) {
            // "dead-letters list\|redrive ID\|delete ID [--queue Q]": a group and its subcommands
            String[] forms = row.group(1).split("\\\\\\|");
            String[] first = forms[0].split(" ");
            if (first.length > 1 && first[1].matches("[a-z]+")) {
                for (int i = 0; i < forms.length; i++) {
                    tabled.add(first[0] + " " + (i == 0 ? first[1] : forms[i].split(" ")[0]));
                }
            } else {
                tabled.add(first[0]);
            }
        }
        assertThat(tabled).containsExactlyInAnyOrderElementsOf(leafCommands());
    }

    @Test
    void everyCommandTakesHelp_andEveryOneThatWorksWithAQueueTakesConfigAndHandlers() {
        assertThat(OPERATIONS.text()).contains("Every command takes `--help`. Every command that works with a queue takes `--config FILE`");
        for (String command : leafCommands()) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            var run = CommandRun.of(args.toArray(String[]::new));
            assertThat(run.exitCode()).as("jobq %s --help", command).isZero();
            assertThat(run.out()).as("jobq %s --help", command).contains("Usage: jobq " + command);
            if (!command.equals("demo")) {
                assertThat(run.out()).as("jobq %s --help", command).contains("--config=FILE", "--handlers=DIR");
            }
        }
    }

    @Test
    void configCheckReportsTheProblemsThePageNames_andExits2() throws Exception {
        Path file = Files.writeString(dir.resolve("jobq.yaml"), "provider:\n  type: sqs\n  region: us-east-1\n  visibilityTimeout: soon\n");

        var run = CommandRun.of("config", "check", "--config", file.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        String text = OPERATIONS.text();
        for (String shown : List.of("`provider.queueUrl: is required; …`", "`provider.visibilityTimeout: 'soon' is not a duration …`")) {
            assertThat(text).contains(shown);
            assertThat(run.err()).contains(shown.substring(1, shown.length() - 3));
        }
    }

    @Test
    void everyOptionTheTableNamesForACommandIsAnOptionOfIt() {
        String text = OPERATIONS.text();
        String table = text.substring(text.indexOf("| command | what it does |"), text.indexOf("**Dead jobs.**"));
        int checked = 0;
        for (String line : table.lines().filter(l -> l.startsWith("| `jobq ")).toList()) {
            String command = line.substring("| `jobq ".length()).split("[ `]")[0];
            String help = leafCommands().stream().filter(c -> c.equals(command) || c.startsWith(command + " "))
                    .map(c -> CommandRun.of((c + " --help").split(" ")).out()).reduce("", String::concat);
            Matcher option = Pattern.compile("(--[a-z][a-z-]*)").matcher(line);
            while (option.find()) {
                checked++;
                assertThat(help).as("jobq %s --help lists %s, as docs/operations.md's table says", command, option.group(1))
                        .containsPattern(Pattern.quote(option.group(1)) + "[=\\s,\\]]");
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(15);
    }

    @Test
    void listCommandsPrintAtMostLimitRows_100ByDefault() {
        assertThat(OPERATIONS.text()).contains("`jobq schedule list` and `jobq dead-letters list` print at most `--limit N` rows (default 100)");
        for (String command : List.of("schedule list", "dead-letters list")) {
            String help = CommandRun.of((command + " --help").split(" ")).out();
            assertThat(help).as(command).containsPattern("--limit=N\\s+[^\\n]*100");
        }
    }

    @Test
    void theRecurringAddExampleUsesOptionsRecurringAddHas() {
        String example = OPERATIONS.codeAfter("or by hand: `");
        String help = CommandRun.of("recurring", "add", "--help").out();
        Matcher option = Pattern.compile("(--[a-z][a-z-]*)").matcher(example);
        while (option.find()) {
            assertThat(help).as("jobq recurring add --help").containsPattern(Pattern.quote(option.group(1)) + "[=\\s,\\]]");
        }
        assertThat(example).startsWith("jobq recurring add NAME TYPE --schedule");
    }
}

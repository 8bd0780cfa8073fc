package dev.jobq.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpCommandInitializable2;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code jobq help [COMMAND...]}: the usage of jobq or of the command the names lead to, as
 * {@code jobq help dead-letters list}. picocli's own help command read only the first name, so that
 * showed the group's usage, and a name the group lacks went unremarked with exit status 0.
 */
@Command(name = "help", helpCommand = true,
        description = "Shows the usage of jobq, or of a command: jobq help dead-letters list.")
final class HelpPath implements IHelpCommandInitializable2, Runnable {

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and its subcommand, if any.")
    private List<String> names = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    private boolean help;

    private CommandLine self;
    private Help.ColorScheme colors;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter outWriter,
                     PrintWriter errWriter) {
        self = helpCommandLine;
        colors = colorScheme;
        out = outWriter;
    }

    @Override
    public void run() {
        if (!self.getUnmatchedArguments().isEmpty()) {
            // picocli parses a help command leniently, dropping an option it does not know (help run --x).
            throw new UnmatchedArgumentException(self, self.getUnmatchedArguments());
        }
        CommandLine target = self.getParent();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            CommandLine next = target.getSubcommands().get(name);
            if (next == null) {
                String qualified = target.getCommandSpec().qualifiedName();
                throw new ParameterException(self, "Unknown command '" + name + "' of '" + qualified + "'"
                        + (target.getSubcommands().isEmpty() ? ", which has no subcommands; try jobq help "
                        + String.join(" ", names.subList(0, i))
                        : "; it has: " + String.join(", ", target.getSubcommands().keySet())));
            }
            target = next;
        }
        target.usage(out, colors);
    }
}

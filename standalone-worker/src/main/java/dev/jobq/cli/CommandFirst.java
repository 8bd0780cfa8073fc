package dev.jobq.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Picocli's handling of a command line it cannot read, with one case said better: an option of a group's commands
 * given to the group ({@code jobq dead-letters --queue jobs}, the command left out or put after it). Picocli said
 * "Unknown options: '--queue', 'jobs'" of an option the commands' help lists, and named no command; this names the
 * commands that take it and shows the order. Everything else is picocli's as it was (message, suggestions, usage,
 * exit status 2).
 */
final class CommandFirst implements IParameterExceptionHandler {

    private final IParameterExceptionHandler standard;

    CommandFirst(IParameterExceptionHandler standard) {
        this.standard = standard;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) throws Exception {
        ParameterException said = ex instanceof UnmatchedArgumentException unmatched
                ? commandFirst(unmatched, args) : null;
        return standard.handleParseException(said != null ? said : ex, args);
    }

    /** The error naming the commands of the group that take the first unmatched option, or null if none does. */
    private static @Nullable ParameterException commandFirst(UnmatchedArgumentException ex, String[] args) {
        CommandLine group = ex.getCommandLine();
        List<String> unmatched = ex.getUnmatched();
        if (unmatched.isEmpty() || !unmatched.getFirst().startsWith("-") || group.getSubcommands().isEmpty()) {
            return null;
        }
        String first = unmatched.getFirst();
        String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
        List<String> taking = new ArrayList<>();
        OptionSpec option = null;
        for (Map.Entry<String, CommandLine> command : group.getSubcommands().entrySet()) {
            OptionSpec found = command.getValue().getCommandSpec().findOption(name);
            // an alias is a second key for the same command: named once
            if (found != null && command.getKey().equals(command.getValue().getCommandName())) {
                taking.add(command.getKey());
                option = found;
            }
        }
        if (option == null) {
            return null;
        }
        String qualified = group.getCommandSpec().qualifiedName();
        String commands = taking.size() == 1 ? taking.getFirst()
                : String.join(", ", taking.subList(0, taking.size() - 1)) + " and " + taking.getLast();
        String value = option.arity().max() > 0 ? " " + option.paramLabel() : "";
        // the command the user put after the option, where there is one
        String example = taking.stream().filter(List.of(args)::contains).findFirst().orElse(taking.getFirst());
        return new ParameterException(group, "'" + name + "' is an option of " + qualified + " " + commands
                + ", not of " + qualified + " itself: give the command first, e.g. " + qualified + " "
                + example + " " + name + value);
    }
}

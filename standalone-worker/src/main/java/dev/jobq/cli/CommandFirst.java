package dev.jobq.cli;

import dev.jobq.spi.UntrustedText;
import java.nio.charset.Charset;
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
 * given to the group ({@code jobq dead-letters --queue jobs}, the command left out or put after it, or the group too:
 * {@code jobq --config FILE schedule list}, where the commands of the group named after it are meant). Picocli said
 * "Unknown options: '--queue', 'jobs'" of an option the commands' help lists, and named no command; this names the
 * commands that take it and shows the order. An argument the locale could not read is said as that, first
 * ({@link ArgumentEncoding}). Everything else is picocli's as it was (message, suggestions, usage, exit status 2), but
 * with the control characters of its message escaped ({@link UntrustedText#escape}): picocli repeats an argument as
 * given ("Unknown option: '--x", then an ANSI sequence that repainted the terminal).
 */
final class CommandFirst implements IParameterExceptionHandler {

    private final IParameterExceptionHandler standard;
    private final Map<String, String> environment;
    private final Charset arguments;

    /**
     * @param environment the process's, for the locale variables
     * @param arguments   the encoding Java read the command line in ({@link ArgumentEncoding})
     */
    CommandFirst(IParameterExceptionHandler standard, Map<String, String> environment, Charset arguments) {
        this.standard = standard;
        this.environment = environment;
        this.arguments = arguments;
    }

    /**
     * An argument the locale's encoding could not read is what to fix first: an option that refused the value it made
     * ({@code --timezone Europe/Zürich} read as {@code Europe/Z??rich}) said the value was bad, without the fix.
     */
    @Override
    public int handleParseException(ParameterException ex, String[] args) throws Exception {
        String unread = ArgumentEncoding.problem(List.of(args), arguments, environment);
        if (unread != null) {
            return standard.handleParseException(new ParameterException(ex.getCommandLine(), unread), args);
        }
        ParameterException said = ex instanceof UnmatchedArgumentException unmatched
                ? commandFirst(unmatched, args) : null;
        return standard.handleParseException(escaped(said != null ? said : ex), args);
    }

    /**
     * {@code ex} with its message's control characters escaped; itself when it has none. An unmatched argument stays
     * one, with its arguments as given, so that picocli still suggests the options and commands meant. One naming no
     * option and no value (jobq's own, such as help's unknown command) is made again without them: picocli refuses
     * both null, and its IllegalArgumentException's trace was printed in place of the refusal.
     */
    private static ParameterException escaped(ParameterException ex) {
        String message = String.valueOf(ex.getMessage());
        String shown = UntrustedText.escape(message);
        if (shown.equals(message)) {
            return ex;
        }
        if (ex instanceof UnmatchedArgumentException unmatched) {
            return new EscapedUnmatched(unmatched, shown);
        }
        return ex.getArgSpec() == null && ex.getValue() == null
                ? new ParameterException(ex.getCommandLine(), shown, ex)
                : new ParameterException(ex.getCommandLine(), shown, ex, ex.getArgSpec(), ex.getValue());
    }

    /** An unmatched argument's refusal said escaped, its suggestions picocli's, made from the arguments as given. */
    private static final class EscapedUnmatched extends UnmatchedArgumentException {

        private final String message;

        EscapedUnmatched(UnmatchedArgumentException ex, String message) {
            super(ex.getCommandLine(), ex.getUnmatched());
            this.message = message;
            initCause(ex);
        }

        @Override
        public String getMessage() {
            return message;
        }
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
        // given before a group of the group (jobq --config FILE schedule list), that group's commands are meant: the
        // group's own were named, with jobq run --config FILE for the example
        CommandLine named = namedGroup(group, name, args);
        ParameterException said = named != null ? commandFirst(group, named, name, args) : null;
        return said != null ? said : commandFirst(group, group, name, args);
    }

    /**
     * The error naming the commands of {@code commands} (the group, or a group of it the user named) that take the
     * option {@code name}, given to {@code group}; null if none does.
     */
    private static @Nullable ParameterException commandFirst(CommandLine group, CommandLine commands, String name,
                                                             String[] args) {
        List<String> taking = new ArrayList<>();
        OptionSpec option = null;
        for (Map.Entry<String, CommandLine> command : commands.getSubcommands().entrySet()) {
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
        String qualified = commands.getCommandSpec().qualifiedName();
        String listed = taking.size() == 1 ? taking.getFirst()
                : String.join(", ", taking.subList(0, taking.size() - 1)) + " and " + taking.getLast();
        String value = option.arity().max() > 0 ? " " + option.paramLabel() : "";
        // the command the user put after the option, where there is one
        String example = taking.stream().filter(List.of(args)::contains).findFirst().orElse(taking.getFirst());
        return new ParameterException(group, "'" + name + "' is an option of " + qualified + " " + listed
                + ", not of " + group.getCommandSpec().qualifiedName() + " itself: give the command first, e.g. "
                + qualified + " " + example + " " + name + value);
    }

    /** The first group of {@code group} named in {@code args} that does not take option {@code name}, or null. */
    private static @Nullable CommandLine namedGroup(CommandLine group, String name, String[] args) {
        for (String arg : args) {
            CommandLine command = group.getSubcommands().get(arg);
            if (command != null && !command.getSubcommands().isEmpty()
                    && command.getCommandSpec().findOption(name) == null) {
                return command;
            }
        }
        return null;
    }
}

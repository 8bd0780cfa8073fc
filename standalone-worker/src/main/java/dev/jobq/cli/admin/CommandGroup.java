package dev.jobq.cli.admin;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code schedule}, {@code recurring}, ...): alone, a usage error naming them. */
abstract class CommandGroup implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public final Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing a subcommand: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}

package dev.jobq.cli.admin;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --limit N} of the list commands: at least 1, {@value #DEFAULT} unless given. */
final class LimitOption {

    static final int DEFAULT = 100;

    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    private int limit = DEFAULT;

    @Option(names = "--limit", paramLabel = "N", description = "List at most N (default: " + DEFAULT + ").")
    void setLimit(int limit) {
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be ≥ 1, got " + limit);
        }
        this.limit = limit;
    }

    int value() {
        return limit;
    }
}

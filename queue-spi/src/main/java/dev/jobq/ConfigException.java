package dev.jobq;

import java.util.List;

/**
 * A configuration that cannot be used. Carries one problem per line, each starting with the key
 * path in the file ({@code worker.concurrency: must be ≥ 1, got 0}), so that every problem is
 * reported at once rather than one per run.
 */
public final class ConfigException extends JobQueueException {

    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(format(source, problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this("configuration", List.of(problem));
    }

    /** The problems, one per entry, each starting with its key path. */
    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        if (problems.size() == 1) {
            return source + ": " + problems.get(0);
        }
        var text = new StringBuilder(source).append(" has ").append(problems.size()).append(" problems:");
        for (String problem : problems) {
            text.append(System.lineSeparator()).append("  ").append(problem);
        }
        return text.toString();
    }
}

package dev.jobq.cli.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's README.md (failsafe names it in {@value #PROPERTY}), so that a process test runs
 * the very text a user copies from it.
 */
record ReadmeFile(String text) {

    static final String PROPERTY = "jobq.readme";

    static ReadmeFile read() {
        String path = System.getProperty(PROPERTY);
        if (path == null) {
            throw new IllegalStateException("system property " + PROPERTY + " is not set: run process tests with "
                    + "./mvnw verify");
        }
        try {
            return new ReadmeFile(Files.readString(Path.of(path)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of the README's {@code cat > FILE <<'EOF'} here-document, with its final newline. */
    String heredoc(String file) {
        String opening = "cat > " + file + " <<'EOF'\n";
        int start = text.indexOf(opening);
        if (start < 0) {
            throw new AssertionError("README.md has no line '" + opening.strip() + "'");
        }
        start += opening.length();
        int end = text.indexOf("\nEOF\n", start);
        return text.substring(start, end + 1);
    }
}

package dev.jobq.cli.process;

import dev.jobq.cli.process.handlers.Gate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test side of the gates that {@code test:gated} jobs wait for in child workers ({@link Gate}):
 * a directory, handed to each worker as {@value Gate#DIR_ENV}, in which opening a gate creates a
 * file of its name. A job's payload names its gate; a gate opened before the job starts lets it
 * through at once.
 */
final class Gates {

    private final Path dir;

    Gates(Path parent) {
        try {
            this.dir = Files.createDirectories(parent.resolve("gates"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory, for {@code JobqProcess.Builder.env(Gate.DIR_ENV, ...)}. */
    String dir() {
        return dir.toString();
    }

    void open(String name) {
        try {
            Files.createFile(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The payload of a {@code test:gated} job that waits for gate {@code name}. */
    static String payload(String name) {
        return "{\"gate\": \"" + name + "\"}";
    }
}

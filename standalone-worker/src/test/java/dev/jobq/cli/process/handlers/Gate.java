package dev.jobq.cli.process.handlers;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The child side of a gate: a handler waits until the test opens the gate named in its payload,
 * which it does by creating a file of that name in the directory named by {@value #DIR_ENV} in the
 * worker's environment. The wait is on file-system events (a {@link WatchService}), bounded, and
 * ends early when the handler's thread is interrupted (its attempt timed out or was released).
 * The test side is {@code Gates}.
 */
public final class Gate {

    public static final String DIR_ENV = "JOBQ_TEST_GATES";

    private Gate() {
    }

    /** Waits until gate {@code name} is open; false when {@code bound} passed first. */
    public static boolean awaitOpen(String name, Duration bound) throws IOException, InterruptedException {
        String dir = System.getenv(DIR_ENV);
        if (dir == null) {
            throw new IllegalStateException(DIR_ENV + " is not set: start the worker with the test's gate directory "
                    + "in it (JobqProcess.Builder.env)");
        }
        Path gates = Path.of(dir);
        Path gate = gates.resolve(name);
        long deadline = System.nanoTime() + bound.toNanos();
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            // Watch before looking, so that a gate opened in between is an event, not missed.
            gates.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(gate)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                WatchKey key = watcher.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
            return true;
        }
    }
}

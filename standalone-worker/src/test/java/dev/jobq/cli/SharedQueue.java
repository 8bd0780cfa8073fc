package dev.jobq.cli;

import dev.jobq.JobQueue;
import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueOpener;
import dev.jobq.cli.context.QueueSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One queue that every command of a test works on, so that what {@code enqueue} put in a memory
 * queue is what {@code stats} counts. Commands still need a config file (they check it first): the
 * test's temp dir gets a minimal one, named with {@code --config}.
 */
public final class SharedQueue implements AutoCloseable {

    private final JobQueue queue;
    private final Path config;

    public SharedQueue(JobQueue queue, Path dir) {
        this.queue = queue;
        try {
            this.config = Files.writeString(dir.resolve("shared.yaml"), "provider:\n  type: memory\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JobQueue queue() {
        return queue;
    }

    /** Runs {@code jobq ARGS --config shared.yaml} on the shared queue. */
    public CommandRun run(String... args) {
        String[] withConfig = new String[args.length + 2];
        System.arraycopy(args, 0, withConfig, 0, args.length);
        withConfig[args.length] = "--config";
        withConfig[args.length + 1] = config.toString();
        return CommandRun.in(context(), withConfig);
    }

    private CommandContext context() {
        QueueOpener borrow = builder -> QueueSession.borrowing(queue);
        return CommandRun.context(Map.of(), borrow);
    }

    @Override
    public void close() {
        queue.close();
    }
}

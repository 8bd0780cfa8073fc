package dev.jobq.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.jobq.localsqs.LocalSqs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * A local SQS server on 127.0.0.1 with one queue of its own, configured as queue {@code remote} (with
 * {@code deadLetter: discard}) beside a memory default queue in a config file, and the {@code dev.jobq.sqs} log lines
 * written while it runs: a command opening that queue once logs its start-up lines once.
 */
public final class ReachableSqs implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            lines.add(event.getFormattedMessage());
        }
    };
    private final Logger sqsLog = (Logger) LoggerFactory.getLogger("dev.jobq.sqs");
    private final LocalSqs sqs;
    private final String url;
    private final Path file;

    private ReachableSqs(Path dir) throws IOException {
        capture.start();
        sqsLog.addAppender(capture);
        sqs = LocalSqs.start(LocalSqs.DEFAULT_HOST, 0);
        try {
            url = sqs.createQueues("once-" + UUID.randomUUID()).url();
            var keys = new StringBuilder();
            sqs.connectionSettings().forEach((key, value) -> keys.append("    ").append(key).append(": ").append(value)
                    .append('\n'));
            file = Files.writeString(dir.resolve("remote-up.yaml"), """
                    provider:
                      type: memory
                    queues:
                      remote:
                    %s    queueUrl: %s
                        deadLetter: discard
                    """.formatted(keys, url));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts the server and writes the config file into {@code dir}. */
    public static ReachableSqs start(Path dir) throws IOException {
        return new ReachableSqs(dir);
    }

    /** The config file: a memory default queue, and queue {@code remote} on this server. */
    public Path file() {
        return file;
    }

    /** The start-up lines of queue {@code remote} that say it has {@code deadLetter: discard}, one per opening. */
    public List<String> discardLines() {
        return lines.stream().filter(line -> line.contains(url) && line.contains("deadLetter: discard")).toList();
    }

    @Override
    public void close() {
        sqsLog.detachAppender(capture);
        sqs.close();
    }
}

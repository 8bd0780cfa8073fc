package dev.jobq.cli.process.handlers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The child side of a run journal: a handler that finished its work appends
 * {@code "<jobId> <attempt> <epochMillis>\n"} to the file named by {@value #FILE_ENV} in its
 * process's environment, one file per worker. Each line is one {@code write} to a file opened for
 * appending, so it is on disk (in the page cache) before the handler returns, and a SIGKILL cannot
 * leave half a line. The test reads the files with {@code RunJournal}.
 */
public final class RunLog {

    public static final String FILE_ENV = "JOBQ_TEST_RUN_LOG";

    private static final ReentrantLock WRITING = new ReentrantLock();

    private RunLog() {
    }

    /** Appends one run of {@code jobId}. */
    public static void append(String jobId, int attempt) throws IOException {
        appendLine(FILE_ENV, "the run journal's", jobId + " " + attempt + " " + System.currentTimeMillis());
    }

    /**
     * Appends {@code line} and a newline to the file named by {@code fileEnv} (described as {@code what} when it
     * is not set), as one {@code write} to a file opened for appending: whole or absent after a SIGKILL.
     */
    static void appendLine(String fileEnv, String what, String line) throws IOException {
        String file = System.getenv(fileEnv);
        if (file == null) {
            throw new IllegalStateException(fileEnv + " is not set: start the worker with " + what + " file in it "
                    + "(JobqProcess.Builder.env)");
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        WRITING.lock();
        try (FileChannel channel = FileChannel.open(Path.of(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } finally {
            WRITING.unlock();
        }
    }
}

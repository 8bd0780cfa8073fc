package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@value #TYPE}, the chaos test's job: appends {@code "S <jobId> <attempt> <pid> <epochMillis>"} to the
 * file named by {@value #FILE_ENV} when it starts, works {@value #LEAST_MS}–{@value #MOST_MS} ms (so
 * that a SIGKILL often finds jobs running), then appends {@code "E ..."} and returns — or, for the
 * payload {@value #FAIL}, appends {@code "F ..."} and throws, so that the job ends in the dead-letter
 * queue after its attempts. Each line is one {@code write} to a file opened for appending: on disk
 * (in the page cache) before the next step, whole or absent after a SIGKILL. One file per process.
 */
public final class ChaosModule implements JobHandlerModule {

    public static final String TYPE = "test:chaos";
    public static final String FILE_ENV = "JOBQ_TEST_CHAOS_LOG";
    /** The payload of a job whose handler always fails. */
    public static final String FAIL = "fail";
    public static final int LEAST_MS = 20;
    public static final int MOST_MS = 150;

    @Override
    public void register(JobHandlerRegistry registry) {
        registry.registerJobHandler(TYPE, String.class, (job, ctx) -> {
            append("S", ctx.jobId(), ctx.attempt());
            // the job's work: a pause, interruptible as well-behaved work is
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextInt(LEAST_MS, MOST_MS + 1));
            if (FAIL.equals(job.payload())) {
                append("F", ctx.jobId(), ctx.attempt());
                throw new IllegalStateException("this chaos job fails on every attempt, as its payload asks");
            }
            append("E", ctx.jobId(), ctx.attempt());
        });
    }

    private static void append(String kind, String jobId, int attempt) throws IOException {
        RunLog.appendLine(FILE_ENV, "the chaos log's", kind + " " + jobId + " " + attempt + " "
                + ProcessHandle.current().pid() + " " + System.currentTimeMillis());
    }
}

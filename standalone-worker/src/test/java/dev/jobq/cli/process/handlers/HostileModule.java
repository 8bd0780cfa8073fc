package dev.jobq.cli.process.handlers;

import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import java.util.concurrent.CountDownLatch;

/**
 * {@value #TYPE}: throws what its payload names, as users' handlers really do: {@code "odd"} a Throwable that is
 * neither an Exception nor an Error, {@code "overflow"} a StackOverflowError of runaway recursion, {@code "huge"}
 * a 10 MB message with line breaks and an escape sequence, {@code "deep"} 10,000 causes, {@code "oom"} an
 * OutOfMemoryError from an array too large for the heap; {@code "leak"} starts a non-daemon thread that never
 * ends and returns.
 */
public final class HostileModule implements JobHandlerModule {

    public static final String TYPE = "test:hostile";

    static final class NeitherExceptionNorError extends Throwable {
        NeitherExceptionNorError(String message) {
            super(message);
        }
    }

    @Override
    public void register(JobHandlerRegistry registry) {
        registry.registerJobHandler(TYPE, String.class, (job, ctx) -> {
            switch (job.payload()) {
                case "odd" -> HostileModule.<RuntimeException>sneakyThrow(new NeitherExceptionNorError("odd"));
                case "overflow" -> recurse(0);
                case "huge" -> throw new IllegalStateException("first line\nINFO forged line\u001b[31m"
                        + "x".repeat(10_000_000));
                case "deep" -> {
                    RuntimeException e = new RuntimeException("root");
                    for (int i = 0; i < 10_000; i++) {
                        e = new RuntimeException("level " + i, e);
                    }
                    throw e;
                }
                case "oom" -> {
                    long[] huge = new long[Integer.MAX_VALUE - 16];
                    huge[0] = 1;
                }
                // a non-daemon thread the handler leaves behind, parked until the JVM ends (nothing ever counts down)
                case "leak" -> Thread.ofPlatform().daemon(false).name("leaked-by-a-handler").start(() -> {
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                default -> throw new IllegalArgumentException("unknown payload " + job.payload());
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}

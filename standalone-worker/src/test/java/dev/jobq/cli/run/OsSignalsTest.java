package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The first signal asks for a drain, a second halts. The real-signal test raises TERM in this JVM
 * while the handlers are installed (caught, so the test JVM lives on); {@code WorkerProcessIT}
 * sends TERM and INT to a real {@code jobq} process.
 */
class OsSignalsTest {

    private final List<Integer> halts = new CopyOnWriteArrayList<>();

    @Test
    void firstSignalRequestsTheStopAndTheSecondHaltsWith128PlusItsNumber() throws Exception {
        var signals = new OsSignals(halts::add);
        var released = new CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            try {
                signals.awaitStop();
                released.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        signals.onSignal("TERM", 15);
        assertThat(released.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(halts).isEmpty();

        signals.onSignal("INT", 2);
        assertThat(halts).containsExactly(130);
        signals.close();
    }

    @Test
    void aStopTheWorkerAsksForItselfDrainsAndATermAfterItIsTheFirstSignalNotASecond() throws Exception {
        var signals = new OsSignals(halts::add, false);

        signals.requestStop("--max-jobs 100 reached");
        signals.awaitStop();
        assertThat(signals.stopRequested()).isTrue();

        signals.onSignal("TERM", 15);
        assertThat(halts).as("systemd's TERM to a worker already draining: it goes on draining").isEmpty();
        signals.onSignal("TERM", 15);
        assertThat(halts).containsExactly(143);
        signals.close();
    }

    /**
     * Ctrl-C in a terminal sends INT to the whole process group: to the launcher, which passes it on
     * to the jobq it runs again with JAVA_HOME's java as TERM, and to that jobq itself.
     */
    @Test
    void behindTheLauncherTheTermItPassesOnAfterAnIntIsTheSameStopAndAnotherIntHalts() throws Exception {
        var signals = new OsSignals(halts::add, true);

        signals.onSignal("INT", 2);
        signals.onSignal("TERM", 15);
        assertThat(halts).as("Ctrl-C once: INT from the terminal, TERM from the launcher").isEmpty();
        signals.awaitStop();

        signals.onSignal("INT", 2);
        assertThat(halts).as("Ctrl-C again").containsExactly(130);
        signals.close();
    }

    /**
     * The launcher's TERM can come before the terminal's INT: each JVM handles a signal on a thread of its own,
     * so the launcher may pass Ctrl-C on before this JVM has handled its own INT (seen in CI). Before, that INT
     * counted as a second signal and the worker exited at once with 130, without draining.
     */
    @Test
    void behindTheLauncherAnIntAfterItsTermIsTheSameStopAndAnotherTermHalts() throws Exception {
        var signals = new OsSignals(halts::add, true);

        signals.onSignal("TERM", 15);
        signals.onSignal("INT", 2);
        assertThat(halts).as("Ctrl-C once, the launcher's TERM first").isEmpty();
        signals.awaitStop();

        signals.onSignal("TERM", 15);
        assertThat(halts).as("Ctrl-C again").containsExactly(143);
        signals.close();
    }

    /**
     * systemd stops a unit by sending TERM to its whole control group (the default {@code KillMode}), and
     * {@code pkill -f jobq.jar} matches both JVMs: behind the launcher the worker gets that TERM and the one the
     * launcher passes on. Before, the second counted as "again" and the worker exited at once, undrained, 143.
     */
    @Test
    void behindTheLauncherATermSentToBothJvmsIsOneStopAndALaterTermHalts() throws Exception {
        long[] now = {1_000};
        var signals = new OsSignals(halts::add, true, () -> now[0]);

        signals.onSignal("TERM", 15);
        now[0] += TimeUnit.MILLISECONDS.toNanos(300);
        signals.onSignal("TERM", 15);
        assertThat(halts).as("one stop reaching this JVM twice").isEmpty();
        signals.awaitStop();

        now[0] += TimeUnit.SECONDS.toNanos(10);
        signals.onSignal("TERM", 15);
        assertThat(halts).as("the operator's second stop").containsExactly(143);
        signals.close();
    }

    /**
     * The launcher counts each stop it passes on before it sends the TERM. On a starved machine its copy of a TERM
     * sent to both JVMs can come seconds after this JVM's own; before, a copy later than 2 s counted as a second
     * stop and the worker exited at once, undrained, with 143 (WorkerProcessIT's late-launcher test).
     */
    @Test
    void behindTheLauncherTheCopyOfATermSentToBothJvmsIsTheSameStopHoweverLateItComes() throws Exception {
        long[] now = {1_000};
        long[] passedOn = {0};
        var signals = new OsSignals(halts::add, true, () -> now[0], () -> passedOn[0]);

        signals.onSignal("TERM", 15);
        now[0] += TimeUnit.SECONDS.toNanos(30);
        passedOn[0] = 1;
        signals.onSignal("TERM", 15);
        assertThat(halts).as("one stop, the launcher's copy 30 s late").isEmpty();
        signals.awaitStop();

        signals.onSignal("TERM", 15);
        assertThat(halts).as("the operator's second stop, before the launcher passes it on").containsExactly(143);
        signals.close();
    }

    /** systemd with {@code KillMode=mixed}, or {@code kill} of the launcher's pid: each stop comes once, as its copy. */
    @Test
    void behindTheLauncherEachStopSentToItAloneCountsOnceAndTheSecondHalts() {
        long[] passedOn = {0};
        var signals = new OsSignals(halts::add, true, () -> 1_000, () -> passedOn[0]);

        passedOn[0] = 1;
        signals.onSignal("TERM", 15);
        assertThat(halts).isEmpty();
        assertThat(signals.stopRequested()).isTrue();

        passedOn[0] = 2;
        signals.onSignal("TERM", 15);
        assertThat(halts).containsExactly(143);
        signals.close();
    }

    /**
     * The kernel keeps one pending TERM per process: when the launcher's copy comes before this JVM has taken its
     * own, the two are one signal. The next stop's own TERM, before the launcher has passed that one on, is then
     * taken for the late copy; the copy that follows it halts.
     */
    @Test
    void behindTheLauncherATermSentToBothJvmsThatCameAsOneIsOneStopAndTheNextStopHalts() {
        long[] passedOn = {1};
        var signals = new OsSignals(halts::add, true, () -> 1_000, () -> passedOn[0]);

        signals.onSignal("TERM", 15);
        assertThat(halts).isEmpty();

        signals.onSignal("TERM", 15);
        assertThat(halts).as("its own TERM, the launcher's count still 1").isEmpty();
        passedOn[0] = 2;
        signals.onSignal("TERM", 15);
        assertThat(halts).containsExactly(143);
        signals.close();
    }

    @Test
    void behindTheLauncherCtrlCIsOneStopInEitherOrderWithTheLaunchersCountAndTheNextCtrlCHalts() {
        long[] passedOn = {0};
        var signals = new OsSignals(halts::add, true, () -> 1_000, () -> passedOn[0]);

        passedOn[0] = 1;
        signals.onSignal("TERM", 15);
        signals.onSignal("INT", 2);
        assertThat(halts).as("Ctrl-C once, the launcher's TERM first").isEmpty();

        signals.onSignal("INT", 2);
        assertThat(halts).as("Ctrl-C again").containsExactly(130);
        signals.close();
    }

    @Test
    void behindTheLauncherATermLongAfterTheFirstHalts() {
        long[] now = {1_000};
        var signals = new OsSignals(halts::add, true, () -> now[0]);

        signals.onSignal("TERM", 15);
        now[0] += OsSignals.SAME_KIND_PAIR_NANOS + 1;
        signals.onSignal("TERM", 15);

        assertThat(halts).containsExactly(143);
        signals.close();
    }

    @Test
    void notBehindTheLauncherATermRightAfterATermHalts() {
        var signals = new OsSignals(halts::add, false, () -> 1_000);

        signals.onSignal("TERM", 15);
        signals.onSignal("TERM", 15);

        assertThat(halts).containsExactly(143);
        signals.close();
    }

    @Test
    void notBehindTheLauncherATermAfterAnIntHalts() {
        var signals = new OsSignals(halts::add, false);

        signals.onSignal("INT", 2);
        signals.onSignal("TERM", 15);

        assertThat(halts).containsExactly(143);
        signals.close();
    }

    /**
     * TERM, not INT: a build started in the background inherits INT as ignored, and the JVM leaves
     * it so; TERM is never ignored that way.
     */
    @Test
    void realTermSignalIsCaughtWhileArmedAndTheJvmsHandlerIsBackAfterClose() throws Exception {
        var term = new Signal("TERM");
        SignalHandler before = Signal.handle(term, s -> { });
        Signal.handle(term, before);
        var signals = new OsSignals(halts::add);
        signals.arm();
        try {
            // raising TERM without our handler would end the test JVM: check it is there first
            assertThat(signals.caught()).as("signals caught").contains("TERM");
            Signal.raise(term);
            var stopped = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try {
                    signals.awaitStop();
                    stopped.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(stopped.await(30, TimeUnit.SECONDS)).as("the raised TERM requested the stop").isTrue();

            Signal.raise(term);
            await().atMost(Duration.ofSeconds(30)).until(() -> halts.equals(List.of(143)));
        } finally {
            signals.close();
        }
        var restored = Signal.handle(term, before);
        // sun.misc wraps the JVM's handler anew on each call: compare what is wrapped
        assertThat(restored).as("close() put back the handler that was there before").hasToString(before.toString());
    }
    /**
     * Under {@code -Xrs} the JVM leaves TERM and INT to the operating system's default, which ends it at once: no
     * handler and no shutdown hook run, so a worker is not drained. The WARN said "a shutdown hook drains the worker
     * instead"; the hook added at {@code workerStarted()} waits for a drain, so a JVM that ran it would not exit here.
     */
    @Test
    void underXrsATermEndsTheJvmAtOnceWithoutTheHookAndTheWarningSaysSo() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(java, "-Xrs", "-cp", System.getProperty("java.class.path"),
                ArmsAndWaits.class.getName()).redirectErrorStream(true).start();
        var output = new LinkedBlockingQueue<String>();
        Thread.ofVirtual().start(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(jvm.getInputStream()))) {
                lines.lines().forEach(output::add);
            } catch (IOException | UncheckedIOException e) {
                // the JVM's end
            }
        });
        try {
            List<String> seen = new ArrayList<>();
            while (!seen.contains("armed")) {
                String line = output.poll(60, TimeUnit.SECONDS);
                assertThat(line).as("the JVM armed its signals; output so far: %s", seen).isNotNull();
                seen.add(line);
            }

            jvm.destroy(); // TERM
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).as("the JVM ended on TERM; output: %s", seen).isTrue();
            assertThat(jvm.exitValue()).as("the OS's default for TERM").isEqualTo(143);
            assertThat(String.join("\n", seen))
                    .contains("cannot catch SIGTERM (-Xrs): the JVM ends at once on SIGTERM, without draining: the jobs "
                            + "it runs come back when their leases end; leave -Xrs out of the java command line")
                    .doesNotContain("a shutdown hook drains the worker instead");
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** The JVM of {@link #underXrsATermEndsTheJvmAtOnceWithoutTheHookAndTheWarningSaysSo}: arms, says so, waits. */
    public static final class ArmsAndWaits {
        public static void main(String[] args) throws InterruptedException {
            var signals = new OsSignals();
            signals.arm();
            signals.workerStarted();
            System.out.println("armed");
            new CountDownLatch(1).await(60, TimeUnit.SECONDS);
        }
    }
}

package dev.jobq.cli.run;

import dev.jobq.cli.context.StopSignals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The process's TERM and INT signals as stop requests. The first asks the worker to drain (stop
 * receiving, finish or release its jobs within {@code shutdownTimeout}), or, while it is still
 * starting, not to start; a second one halts the JVM at once with status 128 + the signal's number:
 * the jobs it held come back when their leases end.
 *
 * <p>Signals are caught with {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in
 * every JDK). Under {@code -Xrs} they cannot be: the JVM leaves TERM and INT to the operating system's
 * default, which ends it at once, running no handler and no shutdown hook, so the worker is not drained
 * and the jobs it held come back when their leases end; this class says so when it arms. Where the API
 * is missing, the JVM's own handlers remain and a shutdown hook drains on the first signal, but a second
 * one cannot cut the drain short. A signal the parent process ignored (INT under {@code nohup} or in a
 * background job) stays ignored.
 * The hook, added once the worker has started, also covers {@code System.exit} from elsewhere. After
 * {@link #close()} the handlers the JVM had before are back. Used from one thread (the run
 * command's), apart from the signals and {@link #requestStop}.
 */
public final class OsSignals implements StopSignals {

    private static final Logger log = LoggerFactory.getLogger(OsSignals.class);
    private static final List<String> STOP_SIGNALS = List.of("TERM", "INT");
    private static final int SIGNAL_EXIT_BASE = 128;
    /**
     * Behind a launcher that could not share its count of the stops it passed on (no file in the temp
     * directory, XDG_RUNTIME_DIR or /dev/shm), how soon after the first signal one more of the same kind is still the same request: a
     * stop sent to both JVMs at once (systemd's default {@code KillMode=control-group},
     * {@code pkill -f jobq.jar}) reaches this one twice, from the sender and from the launcher.
     */
    static final long SAME_KIND_PAIR_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Set by the launcher ({@code dev.jobq.launcher.Launcher}) on the JVM it starts. */
    private static final String RELAUNCHED_PROPERTY = "jobq.launcher.relaunched";
    /**
     * Set by the launcher to a file that grows by one byte before each stop it passes on to this JVM as TERM
     * ({@code Launcher.STOPS_PASSED_ON}).
     */
    private static final String STOPS_PASSED_ON_PROPERTY = "jobq.launcher.stopsPassedOn";
    /** No count of the launcher's stops to read. */
    static final LongSupplier NO_COUNT = () -> -1;

    private final IntConsumer halt;
    private final boolean behindLauncher;
    private final LongSupplier nanoTime;
    /** How many stops the launcher has passed on to this JVM so far, -1 if that cannot be told. */
    private final LongSupplier stopsPassedOn;
    /** The TERMs and INTs handled with the launcher's count at hand; guarded by this. */
    private long counted;
    /** The first stop signal's name, once one came; guarded by this. */
    private @Nullable String firstSignal;
    /** When the first stop signal came, by {@link #nanoTime}; guarded by this. */
    private long firstSignalAt;
    /** Whether the launcher's other half of one Ctrl-C was taken already; guarded by this. */
    private boolean pairTaken;
    private volatile boolean workerStarted;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch drained = new CountDownLatch(1);
    private final AtomicInteger received = new AtomicInteger();
    private final Thread shutdownHook = Thread.ofPlatform().name("jobq-shutdown-hook").unstarted(this::onShutdown);
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();

    /** Halts with {@link Runtime#halt(int)} on a second signal. */
    public OsSignals() {
        this(status -> Runtime.getRuntime().halt(status));
    }

    OsSignals(IntConsumer halt) {
        this(halt, System.getProperty(RELAUNCHED_PROPERTY) != null, System::nanoTime,
                countIn(System.getProperty(STOPS_PASSED_ON_PROPERTY)));
    }

    /**
     * @param behindLauncher whether this JVM was started by the launcher of {@code jobq.jar} (an older
     *                       {@code java} running the jar again with {@code JAVA_HOME}'s), which passes a
     *                       signal it gets on to this JVM as TERM
     */
    OsSignals(IntConsumer halt, boolean behindLauncher) {
        this(halt, behindLauncher, System::nanoTime);
    }

    OsSignals(IntConsumer halt, boolean behindLauncher, LongSupplier nanoTime) {
        this(halt, behindLauncher, nanoTime, NO_COUNT);
    }

    /**
     * @param stopsPassedOn behind the launcher, how many stops it has passed on to this JVM so far (it counts one
     *                      before it sends the TERM), or -1 where that cannot be told
     */
    OsSignals(IntConsumer halt, boolean behindLauncher, LongSupplier nanoTime, LongSupplier stopsPassedOn) {
        this.halt = halt;
        this.behindLauncher = behindLauncher;
        this.nanoTime = nanoTime;
        this.stopsPassedOn = stopsPassedOn;
    }

    /** The launcher's count: the size of the file {@code path} names; none without one. */
    private static LongSupplier countIn(@Nullable String path) {
        if (path == null) {
            return NO_COUNT;
        }
        Path file = Path.of(path);
        return () -> {
            try {
                return Files.size(file);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        };
    }

    @Override
    public void arm() {
        // First the signals that came while the command line was read (EarlySignals), in order, and from here
        // on every signal the early handler still gets: no gap before this class's handlers are in place.
        EarlySignals.handOver(this::onSignal);
        for (String name : STOP_SIGNALS) {
            var signal = new Signal(name);
            try {
                SignalHandler before = Signal.handle(signal, s -> onSignal(s.getName(), s.getNumber()));
                if (before == SignalHandler.SIG_IGN) {
                    // The JVM leaves a signal the parent ignored (nohup, a background job) ignored.
                    log.info("SIG{} is ignored by this process (started with nohup or in the background); "
                            + "stop it with SIGTERM", name);
                } else {
                    previous.put(signal, before);
                }
            } catch (IllegalArgumentException e) {
                // "Signal already used by VM or OS": -Xrs left it to the OS's default, which runs no shutdown hook.
                log.warn("cannot catch SIG{} (-Xrs): the JVM ends at once on SIG{}, without draining: the jobs it runs "
                        + "come back when their leases end; leave -Xrs out of the java command line", name, name);
            } catch (UnsupportedOperationException | LinkageError e) {
                log.warn("cannot catch SIG{} ({}); a shutdown hook drains the worker instead, and a second signal "
                        + "cannot cut the drain short", name, e.toString());
            }
        }
        // close() gives back the JVM's handlers, not the early ones.
        previous.replaceAll((signal, before) -> EarlySignals.jvmHandler(signal.getName(), before));
    }

    /** The signals whose handler is installed, by name ("TERM", "INT"). */
    Set<String> caught() {
        return previous.keySet().stream().map(Signal::getName).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * One TERM or INT: the first requests the drain, any later one halts. Behind the launcher, a stop sent
     * to both JVMs reaches this one twice, its own and the TERM the launcher passes on, in either order (each
     * signal is handled on a thread of its own, in both JVMs) and however far apart on a busy machine: Ctrl-C
     * (INT from the terminal to the whole process group), systemd stopping the unit's whole control group, or
     * {@code pkill -f jobq.jar}. The launcher counts each stop it passes on before it sends it, so the stops
     * asked for so far are the larger of its count and the signals that count leaves over; a signal that
     * adds none is the other copy of a stop already taken. Where the launcher has no count to give, the first
     * signal of the other kind after the first one is the same request, and the first repeat of the same kind
     * within {@link #SAME_KIND_PAIR_NANOS}.
     */
    synchronized void onSignal(String name, int number) {
        if (behindLauncher) {
            long passedOn = stopsPassedOn.getAsLong();
            boolean copy;
            if (passedOn >= 0) {
                counted++;
                copy = Math.max(passedOn, counted - passedOn) <= received.get();
            } else {
                copy = firstSignal != null && !pairTaken
                        && (!firstSignal.equals(name) || nanoTime.getAsLong() - firstSignalAt <= SAME_KIND_PAIR_NANOS);
                pairTaken |= copy;
            }
            if (copy && !name.equals(firstSignal)) {
                log.info("SIG{} after SIG{}: behind the launcher one Ctrl-C reaches this JVM as both (the terminal's "
                        + "INT and the TERM the launcher passes on), one request: still draining", name, firstSignal);
                return;
            }
            if (copy) {
                log.info("SIG{} again: behind the launcher a stop sent to both JVMs (systemd's control group, pkill) "
                        + "reaches this one twice, its own and the one the launcher passes on, one request: still "
                        + "draining (send it again to exit at once)", name);
                return;
            }
        }
        if (received.incrementAndGet() == 1) {
            firstSignal = name;
            firstSignalAt = nanoTime.getAsLong();
            if (workerStarted) {
                log.info("SIG{} received: draining (send it again to exit at once)", name);
            } else {
                log.info("SIG{} received while starting: the worker stops once the start-up step under way ends, "
                        + "before it runs any job (send it again to exit at once)", name);
            }
            stopRequested.countDown();
        } else {
            log.warn("SIG{} received again: exiting now without draining; the jobs still running come back when "
                    + "their leases end", name);
            halt.accept(SIGNAL_EXIT_BASE + number);
        }
    }

    /** The JVM is exiting by other means: drain first, since nothing runs after the hooks. */
    private void onShutdown() {
        stopRequested.countDown();
        try {
            drained.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void requestStop(String reason) {
        log.info("{}: draining (TERM or INT also drains; a second one exits at once)", reason);
        stopRequested.countDown();
    }

    @Override
    public boolean stopRequested() {
        return stopRequested.getCount() == 0;
    }

    /**
     * Adds the shutdown hook only now: added in {@link #arm()}, it would wait for a drain that never comes
     * when the start-up itself calls {@code System.exit} on the thread that would drain.
     */
    @Override
    public void workerStarted() {
        workerStarted = true;
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    @Override
    public void awaitStop() throws InterruptedException {
        stopRequested.await();
    }

    @Override
    public void close() {
        drained.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it returns now that the drain is done
        }
        previous.forEach(Signal::handle);
        previous.clear();
    }
}

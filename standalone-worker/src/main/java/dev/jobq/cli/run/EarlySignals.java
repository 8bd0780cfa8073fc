package dev.jobq.cli.run;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * TERM and INT from the first line of {@code main} until the command is known. Reading the command
 * line (picocli builds every subcommand) and starting the logging take a second on a quiet machine
 * and several under load; a signal then ended {@code jobq run} the JVM's way, with 143, where one a
 * moment later drains and exits 0. Caught here, such a signal is kept: {@code jobq run} takes it over
 * when it starts listening ({@link OsSignals#arm()}), as a stop that came while it started (exit 0,
 * nothing received); any other command gives the JVM its handlers back and ends with 128 + the
 * signal's number, as it would have.
 *
 * <p>Only the JVM's own start (before {@code main}) is left to the JVM's default. Signals the parent
 * ignored stay ignored; where signals cannot be caught ({@code -Xrs}) nothing changes. Every step
 * holds one lock, so a signal that the JVM dispatched to this handler just before it was replaced is
 * still passed on, in order.
 */
public final class EarlySignals {

    private static final List<String> NAMES = List.of("TERM", "INT");
    private static final int SIGNAL_EXIT_BASE = 128;
    private static final EarlySignals PROCESS = new EarlySignals();

    /** Who gets a signal after the hand-over: {@link OsSignals#onSignal}. */
    @FunctionalInterface
    interface Target {
        void onSignal(String name, int number);
    }

    private record Received(String name, int number) {
    }

    private final Object lock = new Object();
    private final Map<String, SignalHandler> jvmHandlers = new LinkedHashMap<>();
    private final List<Received> pending = new ArrayList<>();
    private Target target;
    private boolean released;

    EarlySignals() {
    }

    /** Catches TERM and INT in this process; the first statement of {@code main}. */
    public static void catchUntilTheCommandIsKnown() {
        PROCESS.install();
    }

    /**
     * The command is not {@code jobq run} (or it ended without listening): the JVM's handlers are back;
     * the status to exit with if a signal came meanwhile (128 + its number).
     */
    public static OptionalInt release() {
        return PROCESS.releaseToTheJvm();
    }

    /** For {@link OsSignals#arm()}, its handlers installed: the signals kept so far, then every later one. */
    static void handOver(Target target) {
        PROCESS.handOverTo(target);
    }

    /** The handler the JVM had for {@code name} before this one replaced it, or {@code replaced} itself. */
    static SignalHandler jvmHandler(String name, SignalHandler replaced) {
        return PROCESS.jvmHandlerFor(name, replaced);
    }

    private void install() {
        synchronized (lock) {
            for (String name : NAMES) {
                try {
                    SignalHandler before = Signal.handle(new Signal(name), this::onEarly);
                    jvmHandlers.put(name, before);
                } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
                    // -Xrs or no sun.misc.Signal: the JVM's default stays; OsSignals says so when it arms.
                }
            }
        }
    }

    private void onEarly(Signal signal) {
        onSignal(signal.getName(), signal.getNumber());
    }

    void onSignal(String name, int number) {
        SignalHandler jvm;
        synchronized (lock) {
            if (target != null) {
                target.onSignal(name, number);
                return;
            }
            if (!released) {
                pending.add(new Received(name, number));
                return;
            }
            jvm = jvmHandlers.get(name);
        }
        // Dispatched just before release() put the JVM's handler back: the JVM's own answer.
        if (jvm != null && jvm != SignalHandler.SIG_DFL && jvm != SignalHandler.SIG_IGN) {
            jvm.handle(new Signal(name));
        }
    }

    void handOverTo(Target newTarget) {
        synchronized (lock) {
            if (released || target != null) {
                return;
            }
            target = newTarget;
            pending.forEach(received -> newTarget.onSignal(received.name(), received.number()));
            pending.clear();
        }
    }

    OptionalInt releaseToTheJvm() {
        synchronized (lock) {
            if (released || target != null) {
                return OptionalInt.empty();
            }
            released = true;
            jvmHandlers.forEach((name, handler) -> {
                if (handler != SignalHandler.SIG_IGN) {
                    Signal.handle(new Signal(name), handler);
                }
            });
            return pending.isEmpty() ? OptionalInt.empty() : OptionalInt.of(SIGNAL_EXIT_BASE + pending.get(0).number());
        }
    }

    private SignalHandler jvmHandlerFor(String name, SignalHandler replaced) {
        synchronized (lock) {
            SignalHandler jvm = jvmHandlers.get(name);
            return jvm != null && target != null ? jvm : replaced;
        }
    }
}

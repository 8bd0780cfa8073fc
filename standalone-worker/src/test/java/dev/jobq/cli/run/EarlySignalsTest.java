package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The hand-over of signals caught before the command is known; the process-level behaviour is in WorkerProcessIT. */
class EarlySignalsTest {

    private final List<String> seen = new ArrayList<>();

    @Test
    void signalsKeptBeforeTheHandOverReachTheTargetInOrderAndLaterOnesGoStraightToIt() {
        var early = new EarlySignals();
        early.onSignal("INT", 2);
        early.onSignal("TERM", 15);

        early.handOverTo((name, number) -> seen.add(name + number));
        early.onSignal("TERM", 15);

        assertThat(seen).containsExactly("INT2", "TERM15", "TERM15");
        assertThat(early.releaseToTheJvm()).as("run took them; nothing left for the JVM to answer").isEmpty();
    }

    @Test
    void anotherCommandAnswersTheFirstKeptSignalWith128PlusItsNumber() {
        var early = new EarlySignals();
        early.onSignal("TERM", 15);
        early.onSignal("INT", 2);

        assertThat(early.releaseToTheJvm()).isEqualTo(OptionalInt.of(143));
        early.handOverTo((name, number) -> seen.add(name));
        assertThat(seen).as("released: no hand-over after it").isEmpty();
    }

    @Test
    void noSignalNoStatus() {
        assertThat(new EarlySignals().releaseToTheJvm()).isEmpty();
    }
}

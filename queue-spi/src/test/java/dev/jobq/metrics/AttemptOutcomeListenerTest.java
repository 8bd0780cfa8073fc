package dev.jobq.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.JobEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AttemptOutcomeListenerTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final List<AttemptOutcome> outcomes = new CopyOnWriteArrayList<>();
    private final AttemptOutcomeListener listener = new AttemptOutcomeListener(outcomes::add);

    @Test
    void pairsEachEndingWithItsAttemptsStart() {
        listener.onEvent(new JobEvent.Started(T0, "q", "j", "t", 1));
        listener.onEvent(new JobEvent.Started(T0.plusMillis(5), "q", "k", "t", 1));
        listener.onEvent(new JobEvent.Failed(T0.plusMillis(40), "q", "j", "t", 1, "boom", Duration.ofSeconds(1)));
        listener.onEvent(new JobEvent.Started(T0.plusSeconds(2), "q", "j", "t", 2));
        listener.onEvent(new JobEvent.Dead(T0.plusSeconds(3), "q", "j", "t", 2, "boom again"));
        listener.onEvent(new JobEvent.Released(T0.plusSeconds(4), "q", "k", "t", 1));

        assertThat(outcomes).containsExactly(
                new AttemptOutcome("q", "j", "t", 1, AttemptOutcome.Kind.FAILED, Duration.ofMillis(40), "boom"),
                new AttemptOutcome("q", "j", "t", 2, AttemptOutcome.Kind.DEAD, Duration.ofSeconds(1), "boom again"),
                new AttemptOutcome("q", "k", "t", 1, AttemptOutcome.Kind.RELEASED, Duration.ofMillis(3995), null));
    }

    @Test
    void completedTakesTheWorkersOwnDuration() {
        listener.onEvent(new JobEvent.Started(T0, "q", "j", "t", 1));
        listener.onEvent(new JobEvent.Completed(T0.plusSeconds(9), "q", "j", "t", 1, Duration.ofMillis(7)));

        assertThat(outcomes).containsExactly(
                new AttemptOutcome("q", "j", "t", 1, AttemptOutcome.Kind.COMPLETED, Duration.ofMillis(7), null));
    }

    @Test
    void aJobThatNeverReachedAHandlerHasNoDuration() {
        listener.onEvent(new JobEvent.Dead(T0, "q", "j", "unknown", 1, "no handler"));

        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.handlerTime()).isEmpty();
            assertThat(o.kind().label()).isEqualTo("dead");
        });
    }

    @Test
    void otherEventsAreIgnored() {
        listener.onEvent(new JobEvent.Enqueued(T0, "q", "j", "t", T0, false));
        listener.onEvent(new JobEvent.Progress(T0, "q", "j", "t", 1, 50));
        listener.onEvent(new JobEvent.WorkerStarted(T0, "q", 4));

        assertThat(outcomes).isEmpty();
    }
}

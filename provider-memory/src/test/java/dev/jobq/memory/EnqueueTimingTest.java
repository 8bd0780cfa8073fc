package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jobq.EnqueueOptions;
import dev.jobq.JobQueue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("JobQueue.enqueue: when a job runs")
class EnqueueTimingTest {

    private final WorkerFixture fixture = new WorkerFixture();

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    @Test
    @DisplayName("a delay past the last instant Java represents is refused with the delay and the way out, nothing enqueued")
    void aDelayPastTheLastInstantIsRefused() {
        JobQueue jobs = fixture.queue(fixture.memoryProvider(Map.of()), 1, Duration.ofSeconds(5));
        var endless = EnqueueOptions.delay(Duration.ofSeconds(Long.MAX_VALUE));

        assertThatThrownBy(() -> jobs.enqueue("report:send", "x", endless))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a delay of ")
                .hasMessageContaining("is past the last instant Java can represent")
                .hasMessageContaining("EnqueueOptions.at(");
        assertThatThrownBy(() -> jobs.enqueueAll("report:send", List.of("x", "y"), endless))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is past the last instant Java can represent");
        assertThat(jobs.stats("default").waiting()).isZero();
        assertThat(jobs.stats("default").delayed()).isZero();
    }
}

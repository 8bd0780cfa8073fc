package dev.jobq.scheduler.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * docs/scheduler.md (When the database misbehaves): a batch whose transaction failed after its hand-offs leaves its
 * jobs on the queue with their rows still due; the scheduler "remembers them (up to 10,000 ids)" and marks them without
 * handing them on again when it claims them next.
 */
class HandedOnUnmarkedTest {

    @Test
    void remembersTheIdsOfAFailedBatchUpToItsLimitForgettingTheOldestFirst() {
        var unmarked = new HandedOnUnmarked();
        List<String> ids = IntStream.rangeClosed(0, HandedOnUnmarked.LIMIT).mapToObj(i -> "job-" + i).toList();

        assertThatThrownBy(() -> unmarked.rememberIfLost(new ArrayList<>(ids), () -> {
            throw new IllegalStateException("connection lost before the commit");
        })).hasMessage("connection lost before the commit");

        assertThat(unmarked.takeBack("job-0")).as("the oldest id, one past the limit").isFalse();
        assertThat(unmarked.takeBack("job-1")).as("the oldest id kept").isTrue();
        assertThat(unmarked.takeBack("job-" + HandedOnUnmarked.LIMIT)).as("the newest id").isTrue();
        assertThat(unmarked.takeBack("job-1")).as("an id taken back once, as its row is marked then").isFalse();
    }

    @Test
    void remembersNothingOfABatchThatCommitted() {
        var unmarked = new HandedOnUnmarked();

        assertThat(unmarked.rememberIfLost(new ArrayList<>(List.of("job-1")), () -> 1)).isOne();

        assertThat(unmarked.takeBack("job-1")).isFalse();
    }
}

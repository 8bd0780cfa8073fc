package dev.jobq.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.bench.memory.PeerDrain;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchRunnerTest {

    /**
     * The line each finished run prints writes its ratios as the table does: jobq beside JobRunr's
     * poll-bound 2.4 jobs/s is a multiple, not "27029083.3 %".
     */
    @Test
    void aRunsLineWritesItsRatiosAsTheTableDoes() {
        String line = BenchRunner.describe(new PeerDrain(), Map.of(
                "quartz", new Sample(869_003, 37_038),
                "jobrunr", new Sample(648_698, 2.4)));

        assertThat(line).contains("quartz 869,003 jobs/s (ceiling 37,038, 2346 %)")
                .contains("jobrunr 648,698 jobs/s (ceiling 2.4, 270,291×)");
    }
}

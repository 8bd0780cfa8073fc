package dev.jobq.bench.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerDrainTest {

    /**
     * P1 times Quartz and jobq on the same backlog after a warm-up of each; a side warmed up on a fifth of
     * the other's jobs reaches its timed drain with less of its path compiled, and the ratio reads as a
     * difference between the systems. Both sides warm up on as many jobs (JobRunr is not warmed up: its
     * rate is its poll's).
     */
    @Test
    void warmsQuartzUpOnAsManyJobsAsJobq() throws Exception {
        var output = new ByteArrayOutputStream();

        new PeerDrain().run(Scale.QUICK, new Probe(new PrintStream(output, true, StandardCharsets.UTF_8), 1));

        Map<String, Long> warmUps = new LinkedHashMap<>();
        output.toString(StandardCharsets.UTF_8).lines().filter(line -> line.startsWith("jobq-bench:progress\twarm-up"))
                .map(line -> line.split("\t")).forEach(parts -> warmUps.putIfAbsent(parts[1], Long.parseLong(parts[3])));
        assertThat(warmUps).as("the warm-up phases and their jobs").containsOnlyKeys("warm-up jobq", "warm-up Quartz");
        assertThat(warmUps.get("warm-up Quartz")).as("Quartz's warm-up jobs, beside jobq's")
                .isEqualTo(warmUps.get("warm-up jobq"));
    }
}

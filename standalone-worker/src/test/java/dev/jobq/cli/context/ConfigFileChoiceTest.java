package dev.jobq.cli.context;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.cli.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md §8: "One YAML file (default {@code jobq.yaml}, or {@code --config} / {@code JOBQ_CONFIG})": the order
 * in which a command chooses its file.
 */
class ConfigFileChoiceTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("--config wins over JOBQ_CONFIG")
    void theOptionWinsOverTheVariable() throws Exception {
        Path chosen = Files.writeString(dir.resolve("chosen.yaml"), "worker:\n  concurrency: 7\n");
        Path other = Files.writeString(dir.resolve("other.yaml"), "worker:\n  concurrency: 3\n");

        var run = CommandRun.in(CommandRun.context(Map.of("JOBQ_CONFIG", other.toString()), QueueOpener.building()),
                "config", "check", "--config", chosen.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("chosen.yaml: OK").contains("concurrency 7").doesNotContain("other.yaml");
    }

    @Test
    @DisplayName("JOBQ_CONFIG names the file when --config is not given")
    void theVariableNamesTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("from-env.yaml"), "worker:\n  concurrency: 3\n");

        var run = CommandRun.in(CommandRun.context(Map.of("JOBQ_CONFIG", file.toString()), QueueOpener.building()),
                "config", "check");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("from-env.yaml: OK").contains("concurrency 3");
    }

    @Test
    @DisplayName("without --config and with JOBQ_CONFIG unset or blank, the file is ./jobq.yaml")
    void theDefaultIsJobqYamlInTheWorkingDirectory() {
        Path expected = Path.of("jobq.yaml").toAbsolutePath();
        assertThat(expected).as("this test needs no jobq.yaml in the working directory").doesNotExist();

        for (Map<String, String> environment : List.of(Map.<String, String>of(), Map.of("JOBQ_CONFIG", "  "))) {
            var run = CommandRun.in(CommandRun.context(environment, QueueOpener.building()), "config", "check");

            assertThat(run.exitCode()).as("JOBQ_CONFIG %s", environment).isEqualTo(2);
            assertThat(run.err()).as("JOBQ_CONFIG %s", environment).contains(expected + ": no such file");
        }
    }
}

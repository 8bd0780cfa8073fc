package dev.jobq.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchOptionsTest {

    /**
     * The Markdown table is written at the very end, after every workload ran (a full run takes
     * minutes): a --out the table cannot be written to must be refused before anything runs, naming
     * the value and the fix, not end the run with a stack trace and the table lost.
     */
    @Test
    void anOutInADirectoryThatDoesNotExistIsRefusedBeforeAnythingRuns(@TempDir Path dir) {
        Path out = dir.resolve("missing").resolve("results.md");

        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--quick", "--out", out.toString()}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--out")
                .hasMessageContaining(out.toString())
                .hasMessageContaining(dir.resolve("missing").toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void anOutThatIsADirectoryIsRefusedBeforeAnythingRuns(@TempDir Path dir) {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--out", dir.toString()}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--out")
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("is a directory");
    }

    @Test
    void anOutInAnExistingDirectoryIsTaken(@TempDir Path dir) {
        Path out = dir.resolve("results.md");

        assertThat(BenchOptions.parse(new String[] {"--out", out.toString()}).out()).isEqualTo(out);
    }
}

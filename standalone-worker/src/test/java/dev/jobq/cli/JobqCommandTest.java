package dev.jobq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobqCommandTest {

    @Test
    void helpListsTheCommandsAndExitsZero() {
        var run = CommandRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: jobq").contains("demo", "--version");
    }

    @Test
    void demoHelpDescribesItsOptionsAndExitsZero() {
        var run = CommandRun.of("demo", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: jobq demo").contains("--jobs=N", "--concurrency=N", "default: 200");
    }

    @Test
    void helpSubcommandShowsTheDemoUsage() {
        var run = CommandRun.of("help", "demo");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: jobq demo");
    }

    @Test
    void versionNamesTheBuiltVersion() {
        var run = CommandRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("^jobq \\d+\\.\\d+\\.\\d+").doesNotContain("${");
    }

    @Test
    void unknownOptionIsAUsageErrorThatNamesIt() {
        var run = CommandRun.of("demo", "--bogus");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--bogus'").contains("Usage: jobq demo");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void outOfRangeJobCountIsAUsageErrorThatNamesTheValue() {
        var run = CommandRun.of("demo", "--jobs", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--jobs must be between 1 and 1000000, got 0");
    }

    @Test
    void noCommandIsAUsageError() {
        var run = CommandRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing a command; try `jobq demo`").contains("Usage: jobq");
    }
}

package dev.jobq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A number or a duration out of its option's range is a usage error that names the option, the value and the fix,
 * on each command that takes it: {@code --max-jobs} and {@code --concurrency} said what to do, these said only what
 * was wrong.
 */
class OptionOutOfRangeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            enqueue t --payload {} --max-attempts 0 | --max-attempts must be ≥ 1, got 0; 1 runs the job once, with no retry
            enqueue t --payload {} --timeout 0s     | --timeout must be positive, got 0s; leave it out for the default, 30s
            enqueue t --payload {} --timeout 0      | --timeout must be positive, got 0; leave it out for the default, 30s
            dead-letters list --limit 0             | --limit must be ≥ 1, got 0; leave it out to list up to 100
            run --health-backlog 0                  | --health-backlog must be ≥ 1, got 0; leave it out for the default, 1000
            """)
    void aValueOutOfRangeIsToldWithItsFix(String args, String error) {
        var run = CommandRun.of(args.split(" "));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith(error + System.lineSeparator());
    }
}

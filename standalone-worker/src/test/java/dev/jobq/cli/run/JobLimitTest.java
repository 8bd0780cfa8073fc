package dev.jobq.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.cli.ManualStop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobLimitTest {

    @ParameterizedTest(name = "--max-jobs {0}")
    @CsvSource(delimiter = '|', textBlock = """
            1    | 1 job ended (--max-jobs 1)
            2    | 2 jobs ended (--max-jobs 2)
            1000 | 1000 jobs ended (--max-jobs 1000)
            """)
    void theStopLineCountsTheJobsInGoodGrammar(long max, String line) {
        assertThat(new JobLimit(max, new ManualStop(), null).describe()).isEqualTo(line);
    }
}

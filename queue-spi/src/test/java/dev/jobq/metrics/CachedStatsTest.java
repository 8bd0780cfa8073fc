package dev.jobq.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.jobq.QueueStats;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** How a scrape's stats read that fails is logged. */
class CachedStatsTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(CachedStats.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void capture() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    @Test
    @DisplayName("a provider's stats error whose getMessage() throws is logged, and the gauge reads NaN: what it threw "
            + "in the logger threw out of the scrape, which got no answer")
    void aStatsErrorWhoseGetMessageThrowsIsLoggedAndReadsAsNone() {
        var stats = new CachedStats(List.of("default"), queue -> {
            throw new IllegalStateException() {
                @Override
                public String getMessage() {
                    throw new UnsupportedOperationException("session closed");
                }
            };
        }, Duration.ZERO);

        QueueStats read = stats.get("default");

        assertThat(read).isNull();
        assertThat(appender.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).isEqualTo("jobq metrics: reading the stats of queue 'default' "
                    + "failed; its gauges show NaN until it works again");
            assertThat(event.getThrowableProxy().getMessage())
                    .isEqualTo("dev.jobq.metrics.CachedStatsTest$1: (its getMessage() threw "
                            + "UnsupportedOperationException: session closed)");
        });
    }

    @Test
    @DisplayName("a provider's stats error of megabytes is logged cut, as every logged failure is")
    void aStatsErrorOfMegabytesIsLoggedCut() {
        var stats = new CachedStats(List.of("default"), queue -> {
            throw new IllegalStateException("z".repeat(2_000_000));
        }, Duration.ZERO);

        stats.get("default");

        assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getThrowableProxy().getMessage())
                .isEqualTo("java.lang.IllegalStateException: " + "z".repeat(1000) + "… (1999000 more characters)"));
    }

    @Test
    @DisplayName("a provider's stats error with a URL across the cut is logged with the URL's password masked before "
            + "the cut: cut first, the URL lost the '@' after its password, and the log's mask, finding none, showed "
            + "the password's first characters")
    void aStatsErrorWithAPasswordAcrossTheCutIsLoggedMaskedBeforeTheCut() {
        var stats = new CachedStats(List.of("default"), queue -> {
            throw new IllegalStateException("x".repeat(980) + " https://jobq:hunter2secret@sqs.example/q");
        }, Duration.ZERO);

        stats.get("default");

        assertThat(appender.list).singleElement().satisfies(event -> assertThat(event.getThrowableProxy().getMessage())
                .isEqualTo("java.lang.IllegalStateException: " + "x".repeat(980)
                        + " https://jobq:****@s… (12 more characters)"));
    }

    @Test
    @DisplayName("a stats read that fails with an Error is logged with the Error's message cut once, with the count of "
            + "the characters left out: the read's error, escaped and cut already, was cut again, through an escape, "
            + "its count lost, and the WARN named StatsRead$ReadError")
    void aStatsReadOfAnErrorIsLoggedCutOnceWithTheCountOfTheCharactersLeftOut() {
        var stats = new CachedStats(List.of("default"), queue -> {
            throw new NoClassDefFoundError("\u001b".repeat(1_500));
        }, Duration.ZERO);

        stats.get("default");

        assertThat(appender.list).singleElement().satisfies(event -> {
            assertThat(event.getFormattedMessage()).isEqualTo("jobq metrics: reading the stats of queue 'default' "
                    + "failed; its gauges show NaN until it works again");
            assertThat(event.getThrowableProxy().getMessage()).isEqualTo("java.lang.NoClassDefFoundError: "
                    + "\\u001b".repeat(1_000) + "… (500 more characters)");
            assertThat(event.getThrowableProxy().getCause()).isNull();
        });
    }
}

package dev.jobq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** A recurring job's blank fields: the error names the field, the job where it has one, and what to give. */
class RecurringJobTest {

    @Test
    void aBlankNameSaysWhatToNameTheJob() {
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder(" ", "email:digest")
                        .schedule("@daily").build())
                .withMessage("recurring job name must not be blank, got ' '; name the job, such as 'daily-digest' "
                        + "(registering the same name again updates it)");
    }

    @Test
    void aBlankTypeNamesTheJobAndSaysToNameTheHandlersType() {
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "")
                        .schedule("@daily").build())
                .withMessage("recurring job 'digest': type must not be blank, got ''; name the job type of the "
                        + "handler that runs its occurrences, such as 'email:digest'");
    }

    @Test
    void anUnknownTimezoneWithControlCharactersIsRepeatedEscapedAndALongOneCut() {
        // the zone was repeated raw, unlike the name before it: a newline in it (a value read from a file or a
        // variable) started a line of its own in the message and the log line, and a long one was repeated whole
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "t")
                        .timezone("Mars/Olympus\n\u001b[31mforged"))
                .withMessageStartingWith("recurring job 'digest': unknown timezone 'Mars/Olympus\\n\\u001b[31mforged'; "
                        + "use an IANA name");
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "t")
                        .timezone("M".repeat(10_000)))
                .withMessageStartingWith("recurring job 'digest': unknown timezone '" + "M".repeat(64)
                        + "…' (10000 characters); use an IANA name");
    }

    @Test
    void anUnknownTimezoneIsNotRepeatedRawOrWholeByTheCauseOfItsRefusal() {
        // the refusal escaped the zone, but carried java.time's DateTimeException, whose message repeats it raw: a log
        // line with the refusal's stack trace ("Caused by: …") still had the newline and the ANSI escape, and a 10,000-character zone whole
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "t")
                        .timezone("Mars/Olympus\n\u001b[31mforged"))
                .satisfies(refusal -> {
                    var trace = new StringWriter();
                    refusal.printStackTrace(new PrintWriter(trace));
                    assertThat(trace.toString()).as("the refusal's stack trace, as a log line shows it")
                            .contains("unknown timezone 'Mars/Olympus\\n\\u001b[31mforged'")
                            .doesNotContain("\u001b", "Olympus\n");
                });
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "t")
                        .timezone("M".repeat(10_000)))
                .satisfies(refusal -> {
                    var trace = new StringWriter();
                    refusal.printStackTrace(new PrintWriter(trace));
                    assertThat(trace.toString()).as("the refusal's stack trace of a 10,000-character zone")
                            .contains("(10000 characters)").doesNotContain("M".repeat(65));
                });
    }

    @Test
    void aNameWithControlCharactersIsRepeatedEscapedInTheRefusalsThatNameTheJob() {
        // the name was repeated raw: a newline in it started a line of its own in the message and the log line, an
        // ANSI escape repainted the terminal; a long one is cut past the 255 characters the scheduler holds
        String name = "digest\n\u001b[31mforged";
        String named = "recurring job 'digest\\n\\u001b[31mforged'";
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder(name, " ").schedule("@daily")
                .build()).withMessageStartingWith(named + ": type must not be blank");
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder(name, "t").schedule(" ").build())
                .withMessageStartingWith(named + ": schedule must not be blank");
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder(name, "t").build())
                .withMessageStartingWith(named + " has no schedule");
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder(name, "t").timezone("Mars/Olympus"))
                .withMessageStartingWith(named + ": unknown timezone 'Mars/Olympus'");
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder(name, "t").schedule("@daily")
                        .options(EnqueueOptions.builder().delay(java.time.Duration.ofMinutes(1)).build()).build())
                .withMessageStartingWith(named + ": options must not set delay or scheduledFor");
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("n".repeat(10_000), " ")
                        .schedule("@daily").build())
                .withMessageStartingWith("recurring job '" + "n".repeat(255) + "…' (10000 characters): type must");
    }

    @Test
    void aBlankValueIsRepeatedWithItsControlCharactersEscapedAndALongOneCut() {
        // it was repeated raw: a type that came out of a variable as "\t\n" put a line break into the message, and a
        // name of 10,000 spaces was echoed whole, as enqueue's blank type no longer is (838cc12f)
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "\t\n")
                        .schedule("@daily").build())
                .withMessageStartingWith("recurring job 'digest': type must not be blank, got '\\t\\n'; name the job");
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder(" ".repeat(10_000), "email:digest")
                        .schedule("@daily").build())
                .withMessageStartingWith("recurring job name must not be blank, got '" + " ".repeat(60)
                        + "…' (10000 characters); name the job");
    }

    @Test
    void aBlankScheduleNamesTheJobAndTheFormsASchedulerReads() {
        // jobq recurring add digest t --schedule "" printed this error alone: "recurring job schedule must not be blank".
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "email:digest")
                        .schedule("").build())
                .withMessage("recurring job 'digest': schedule must not be blank, got ''; write a cron expression "
                        + "such as '0 9 * * *', a nickname such as '@daily', or an interval such as 'every 15 minutes'");
    }
}

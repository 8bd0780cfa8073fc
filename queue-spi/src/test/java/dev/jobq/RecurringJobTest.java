package dev.jobq;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

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
    void aBlankScheduleNamesTheJobAndTheFormsASchedulerReads() {
        // jobq recurring add digest t --schedule "" printed this error alone: "recurring job schedule must not be blank".
        assertThatIllegalArgumentException().isThrownBy(() -> RecurringJob.builder("digest", "email:digest")
                        .schedule("").build())
                .withMessage("recurring job 'digest': schedule must not be blank, got ''; write a cron expression "
                        + "such as '0 9 * * *', a nickname such as '@daily', or an interval such as 'every 15 minutes'");
    }
}

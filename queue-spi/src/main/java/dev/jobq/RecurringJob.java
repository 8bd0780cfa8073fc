package dev.jobq;

import dev.jobq.spi.UntrustedText;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job that runs on a schedule, registered by name (registering the same name again updates it).
 *
 * <pre>{@code
 * RecurringJob.builder("daily-digest", "email:digest")
 *         .schedule("0 9 * * *").timezone(ZoneId.of("America/New_York")).payload(digest).build();
 * RecurringJob.builder("cache-cleanup", "maintenance:cleanup").schedule("every 1 hour").build();
 * }</pre>
 *
 * @param schedule a 5-field UNIX cron expression, {@code @hourly}…{@code @yearly}, or {@code every N unit}
 * @param timezone the zone cron fields are read in (UTC unless set)
 * @param payload  the payload of every occurrence; serialized with the queue's ObjectMapper
 */
public record RecurringJob(String name, String type, String schedule, ZoneId timezone, @Nullable Object payload,
                           EnqueueOptions options, MisfirePolicy misfirePolicy, boolean enabled) {

    /** How much of a blank value its refusal repeats, as of a blank job type at enqueue. */
    private static final int BLANK_PREVIEW_CHARS = 60;
    /** How much of a name its refusals repeat: all of one the scheduler holds. */
    private static final int NAME_PREVIEW_CHARS = 255;
    /** How much of an unknown timezone its refusal repeats: all of one the scheduler holds. */
    private static final int ZONE_PREVIEW_CHARS = 64;

    public RecurringJob {
        requireText(null, "name", name, "name the job, such as 'daily-digest' (registering the same name "
                + "again updates it)");
        requireText(name, "type", type, "name the job type of the handler that runs its "
                + "occurrences, such as 'email:digest'");
        requireText(name, "schedule", schedule, "write a cron expression such as '0 9 * * *', "
                + "a nickname such as '@daily', or an interval such as 'every 15 minutes'");
        Objects.requireNonNull(timezone, "timezone");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(misfirePolicy, "misfirePolicy");
        if (options.delay() != null || options.scheduledFor() != null) {
            throw new IllegalArgumentException(named(name)
                    + ": options must not set delay or scheduledFor; the schedule decides when it runs");
        }
    }

    /**
     * A builder for the recurring job {@code name} (its key: registering the name again updates it) whose
     * occurrences are jobs of {@code type}; both are checked by {@link Builder#build()}.
     */
    public static Builder builder(String name, String type) {
        return new Builder(name, type);
    }

    /** A builder with this job's fields, to change some of them. */
    public Builder toBuilder() {
        return new Builder(name, type).schedule(schedule).timezone(timezone).payload(payload).options(options)
                .misfirePolicy(misfirePolicy).enabled(enabled);
    }

    /**
     * Refuses a null or blank {@code value} of the field {@code field} of the job {@code name} (of the job itself for
     * its name, {@code name} null), repeating a blank one with its control characters escaped (a tab and a newline
     * from a variable) and cut after {@value #BLANK_PREVIEW_CHARS} characters with its length.
     */
    private static void requireText(@Nullable String name, String field, @Nullable String value, String fix) {
        if (value == null || value.isBlank()) {
            String what = name == null ? "recurring job " + field : named(name) + ": " + field;
            throw new IllegalArgumentException(what + " must not be " + (value == null ? "null"
                    : "blank, got " + UntrustedText.singleQuote(value, BLANK_PREVIEW_CHARS)) + "; " + fix);
        }
    }

    /**
     * The job {@code name} as its refusals name it: quoted, its control characters escaped (a newline in it started a
     * line of its own in the message and the log), one longer than the scheduler holds cut with its length.
     */
    private static String named(@Nullable String name) {
        return "recurring job " + (name == null ? "'null'" : UntrustedText.singleQuote(name, NAME_PREVIEW_CHARS));
    }

    /**
     * Builds a {@link RecurringJob}; {@code schedule} is required, the rest have defaults. A setter given
     * null throws {@link NullPointerException} naming it ({@code payload} may be null); the schedule itself
     * is checked when the job is registered ({@link Scheduler#registerRecurring}). Not thread-safe.
     */
    public static final class Builder {
        private final String name;
        private final String type;
        private @Nullable String schedule;
        private ZoneId timezone = ZoneOffset.UTC;
        private @Nullable Object payload;
        private EnqueueOptions options = EnqueueOptions.none();
        private MisfirePolicy misfirePolicy = MisfirePolicy.FIRE_ONCE;
        private boolean enabled = true;

        private Builder(String name, String type) {
            this.name = name;
            this.type = type;
        }

        /** A 5-field UNIX cron expression, {@code @hourly}…{@code @yearly}, or {@code every N unit}. */
        public Builder schedule(String schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** The zone cron fields are read in; UTC unless set. */
        public Builder timezone(ZoneId timezone) {
            this.timezone = Objects.requireNonNull(timezone, "timezone");
            return this;
        }

        /**
         * The timezone by its IANA name ({@code America/New_York}).
         *
         * @throws IllegalArgumentException naming the job and the value when the name is unknown
         */
        public Builder timezone(String timezone) {
            Objects.requireNonNull(timezone, "timezone");
            try {
                this.timezone = ZoneId.of(timezone.strip());
            } catch (DateTimeException unknown) {
                // Without java.time's exception as the cause: its message repeats the zone raw and whole, and a log
                // line with this refusal's stack trace showed it so after "Caused by:".
                throw new IllegalArgumentException(named(name) + ": unknown timezone "
                        + UntrustedText.singleQuote(timezone, ZONE_PREVIEW_CHARS)
                        + "; use an IANA name such as America/New_York, Europe/Berlin or UTC");
            }
            return this;
        }

        /** The payload of every occurrence; none unless set. */
        public Builder payload(@Nullable Object payload) {
            this.payload = payload;
            return this;
        }

        /** The options of every occurrence, without a delay or {@code scheduledFor}; none unless set. */
        public Builder options(EnqueueOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** What happens to occurrences missed while no scheduler ran; {@link MisfirePolicy#FIRE_ONCE} unless set. */
        public Builder misfirePolicy(MisfirePolicy misfirePolicy) {
            this.misfirePolicy = Objects.requireNonNull(misfirePolicy, "misfirePolicy");
            return this;
        }

        /**
         * Whether it fires once registered; true unless set. Registering the job again sets it again, so a
         * job disabled since ({@link Scheduler#disableRecurring}) is turned on by a registration with true.
         */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public RecurringJob build() {
            if (schedule == null) {
                throw new IllegalArgumentException(named(name)
                        + " has no schedule: call schedule(\"0 9 * * *\") or schedule(\"every 1 hour\")");
            }
            return new RecurringJob(name, type, schedule, timezone, payload, options, misfirePolicy, enabled);
        }
    }
}

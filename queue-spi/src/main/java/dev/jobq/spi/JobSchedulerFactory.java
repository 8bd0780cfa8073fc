package dev.jobq.spi;

/**
 * Creates schedulers of one type ("jdbc"). Registered in
 * {@code META-INF/services/dev.jobq.spi.JobSchedulerFactory}; selected by the {@code type:} of the
 * {@code scheduler:} section (default "jdbc").
 */
public interface JobSchedulerFactory {

    String type();

    /** Checks the settings without connecting; problems go to {@code settings}. */
    void validate(Settings settings);

    JobScheduler create(SchedulerContext context);
}

package dev.jobq.cli.admin;

import dev.jobq.ConfigException;
import dev.jobq.JobQueueException;
import dev.jobq.RecurringJob;
import dev.jobq.Scheduler;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.internal.config.SchedulerSection;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.SchedulerContext;
import java.nio.file.Path;
import java.time.InstantSource;

/** The scheduler for the {@code schedule} and {@code recurring} commands, or a usage error saying how to get one. */
final class SchedulerAccess {

    private SchedulerAccess() {
    }

    /** The scheduler of the queue the command opened (for commands that check a job against its queue). */
    static Scheduler require(QueueSetup setup, QueueSession session) {
        if (!session.queue().hasScheduler()) {
            throw noScheduler(setup.configFile());
        }
        return session.queue().scheduler();
    }

    /** Before anything opens: without a {@code scheduler:} section, the usage error saying how to configure one. */
    static void requireConfigured(QueueSetup setup) {
        section(setup);
    }

    /**
     * Checks {@code job} as the file's scheduler would refuse it, without connecting (see
     * {@link JobSchedulerFactory#checkRecurring}); without a {@code scheduler:} section, the usage error saying
     * how to configure one.
     *
     * @throws IllegalArgumentException naming the job, the value and the fix
     */
    static void checkRecurring(QueueSetup setup, RecurringJob job) {
        factory(setup).checkRecurring(job);
    }

    /**
     * The scheduler of the file's {@code scheduler:} section alone, not started: its store, without the
     * queues' providers, for commands that only read or change what the store holds. They then work
     * while a provider is out of reach (SQS down), which is when an operator most wants to see what is
     * scheduled. Nothing is handed to a queue from it.
     */
    static JobScheduler openStore(QueueSetup setup) {
        SchedulerSection section = section(setup);
        return factory(setup).create(new SchedulerContext(section.settings(), InstantSource.system(), envelope -> {
            throw new JobQueueException("jobq: this command opened the scheduler's store only, and hands no job to "
                    + "a queue (job " + envelope.jobId() + ")");
        }));
    }

    private static SchedulerSection section(QueueSetup setup) {
        SchedulerSection section = setup.config().scheduler();
        if (section == null) {
            throw noScheduler(setup.configFile());
        }
        return section;
    }

    private static JobSchedulerFactory factory(QueueSetup setup) {
        SchedulerSection section = section(setup);
        ProviderCatalog catalog = ProviderCatalog.load(setup.classLoader());
        return catalog.scheduler(section.type())
                .orElseThrow(() -> new ConfigException(catalog.unknownScheduler(section.type())));
    }

    private static CommandFailure noScheduler(Path configFile) {
        return CommandFailure.usage("no scheduler is configured in " + configFile + "; add a 'scheduler:' "
                + "section (e.g. scheduler: {jdbcUrl: jdbc:postgresql://db/jobq}) with dev.jobq:scheduler-jdbc on "
                + "the class path or its jar in --handlers; every process that shares the scheduler's database "
                + "sees the same scheduled and recurring jobs");
    }
}

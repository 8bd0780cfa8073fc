package dev.jobq.cli.admin;

import dev.jobq.Scheduler;
import dev.jobq.cli.context.CommandFailure;
import dev.jobq.cli.context.QueueSession;
import dev.jobq.cli.context.QueueSetup;

/** The queue's scheduler for the {@code schedule} and {@code recurring} commands, or a usage error saying how to get one. */
final class SchedulerAccess {

    private SchedulerAccess() {
    }

    static Scheduler require(QueueSetup setup, QueueSession session) {
        if (!session.queue().hasScheduler()) {
            throw CommandFailure.usage("no scheduler is configured in " + setup.configFile() + "; add a 'scheduler:' "
                    + "section (e.g. scheduler: {jdbcUrl: jdbc:postgresql://db/jobq}) with dev.jobq:scheduler-jdbc on "
                    + "the class path or its jar in --handlers; every process that shares the scheduler's database "
                    + "sees the same scheduled and recurring jobs");
        }
        return session.queue().scheduler();
    }
}

package dev.jobq.cli.process;

import dev.jobq.JobHandlerModule;
import dev.jobq.cli.process.handlers.ExitModule;
import dev.jobq.cli.process.handlers.Gate;
import dev.jobq.cli.process.handlers.GatedModule;
import dev.jobq.cli.process.handlers.HoldModule;
import dev.jobq.cli.process.handlers.HostileModule;
import dev.jobq.cli.process.handlers.RecordModule;
import dev.jobq.cli.process.handlers.RunLog;
import java.nio.file.Path;

/** The {@code --handlers} directory of the SQS and scheduler process tests: test:gated, test:hold, test:record, test:exit, test:hostile. */
final class TestHandlers {

    private TestHandlers() {
    }

    /** Writes {@code dir/handlers/test-handlers.jar}; returns {@code dir/handlers}. */
    static Path directoryIn(Path dir) {
        Path handlers = dir.resolve("handlers");
        new JarBuilder()
                .addClass(GatedModule.class)
                .addClass(Gate.class)
                .addClass(HoldModule.class)
                .addClass(RecordModule.class)
                .addClass(ExitModule.class)
                .addClass(HostileModule.class)
                .addClass(RunLog.class)
                .service(JobHandlerModule.class, GatedModule.class.getName(), HoldModule.class.getName(),
                        RecordModule.class.getName(), ExitModule.class.getName(), HostileModule.class.getName())
                .writeTo(handlers.resolve("test-handlers.jar"));
        return handlers;
    }
}

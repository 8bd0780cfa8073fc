package dev.jobq.cli.admin;

import dev.jobq.cli.context.CommandContext;
import dev.jobq.cli.context.QueueOptions;
import dev.jobq.cli.context.QueueSetup;
import dev.jobq.internal.config.JobQueueConfig;
import dev.jobq.internal.config.ProviderSection;
import dev.jobq.internal.config.SchedulerSection;
import dev.jobq.internal.config.WorkerSettings;
import dev.jobq.internal.discovery.HandlerModules;
import dev.jobq.internal.runtime.HandlerRegistry;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.DurationFormat;
import dev.jobq.spi.UntrustedText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jobq config check}: reads the config file as a worker would and loads the handler modules,
 * running their {@code register()}; it opens no queue and no scheduler database. What a module does in
 * {@code register()} it does here too.
 */
@Command(name = "config",
        mixinStandardHelpOptions = true,
        description = "Works with the config file.",
        subcommands = ConfigCommand.Check.class)
public final class ConfigCommand extends CommandGroup {

    /** {@code jobq config check}. */
    @Command(name = "check", mixinStandardHelpOptions = true,
            header = "Checks the config file and the handler modules; prints what they configure.",
            description = {"Reads the config file with the environment's overrides, as a worker",
                    "would, and runs each handler module's register() as jobq run does (what a",
                    "module does there, such as opening a connection of its own, it does here",
                    "too); it connects to no queue and no scheduler database. Prints what it",
                    "configures, or every problem and exits 2."})
    static final class Check implements Callable<Integer> {
        private final CommandContext context;
        @Spec
        private CommandSpec spec;
        @Mixin
        private QueueOptions queueOptions;

        Check(CommandContext context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            try (QueueSetup setup = queueOptions.setup(context)) {
                PrintWriter out = spec.commandLine().getOut();
                JobQueueConfig config = setup.config();
                String handlers = handlerTypes(setup.classLoader(), config.providers().keySet(), setup.configFile());
                out.println(setup.configFileShown() + ": OK");
                for (ProviderSection section : config.providers().values()) {
                    // escaped: a name may hold a bidirectional override, taken as in a job type
                    out.println("  queue " + UntrustedText.escape(section.queueName()) + ": " + section.type());
                }
                WorkerSettings worker = config.worker();
                out.println("  worker: " + worker.mode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                        + ", queues " + (worker.queues().isEmpty() ? "(all)"
                                : UntrustedText.escape(worker.queues().toString()))
                        + ", concurrency " + worker.concurrency()
                        + ", pollInterval " + DurationFormat.format(worker.pollInterval())
                        + ", shutdownTimeout " + DurationFormat.format(worker.shutdownTimeout()));
                SchedulerSection scheduler = config.scheduler();
                out.println("  scheduler: " + (scheduler == null ? "none"
                        : scheduler.type() + (scheduler.enabled() ? ", fires due jobs in this process"
                                : ", enabled: false (fired by another process)")
                                + ", pollInterval " + DurationFormat.format(scheduler.pollInterval())));
                ProviderCatalog catalog = ProviderCatalog.load(setup.classLoader());
                out.println("  available: providers " + catalog.providerTypes() + ", schedulers "
                        + catalog.schedulerTypes());
                if (!setup.handlerJars().isEmpty()) {
                    // escaped, as the config file's path: a line break in a jar's name forged a line of the check
                    out.println("  --handlers jars: " + setup.handlerJars().stream()
                            .map(jar -> UntrustedText.escape(jar.toString())).toList());
                }
                out.println("  handlers: " + handlers);
                out.flush();
                return 0;
            }
        }

        /**
         * The job types of the handler modules {@code jobq run} would find, registered as it registers
         * them into a queue of {@code queues}: a module that cannot be loaded, two that register one type, or a
         * handler whose options name a queue the file does not configure, fail the check as they fail {@code run}.
         */
        private static String handlerTypes(ClassLoader classLoader, Collection<String> queues, Path configFile) {
            var handlers = new HandlerRegistry();
            HandlerModules.registerAll(handlers.registering(queues, configFile),
                    HandlerModules.find(classLoader));
            Set<String> types = handlers.types();
            return types.isEmpty() ? "none (jobq run refuses to start without one)"
                    : UntrustedText.escape(String.join(", ", new TreeSet<>(types)));
        }
    }
}

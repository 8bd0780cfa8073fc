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
import dev.jobq.internal.runtime.HandlerRegistry;
import dev.jobq.scheduler.jdbc.JdbcSchedulerFactory;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.JobSchedulerFactory;
import dev.jobq.spi.SchedulerContext;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;

/** The scheduler for the {@code schedule} and {@code recurring} commands, or a usage error saying how to get one. */
final class SchedulerAccess {

    private SchedulerAccess() {
    }

    /** The scheduler of the queue the command opened (for commands that check a job against its queue). */
    static Scheduler require(QueueSetup setup, QueueSession session) {
        if (!session.queue().hasScheduler()) {
            throw noScheduler(setup.configFileShown());
        }
        return session.queue().scheduler();
    }

    /** Before anything opens: without a {@code scheduler:} section, the usage error saying how to configure one. */
    static void requireConfigured(QueueSetup setup) {
        section(setup);
    }

    /**
     * Checks {@code job} as the queue's {@code registerRecurring} and the file's scheduler would refuse it, without
     * connecting (see {@link JobSchedulerFactory#checkRecurring}); without a {@code scheduler:} section, the usage
     * error saying how to configure one. Its type first, as the queue checks it before the scheduler: one with a
     * control character (a shell's trailing newline) was refused only once the database was open, so with it down
     * the user was told about the database (exit 1), not the type.
     *
     * @throws IllegalArgumentException naming the job, the value and the fix
     */
    static void checkRecurring(QueueSetup setup, RecurringJob job) {
        HandlerRegistry.requireType(job.type());
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
        requireExistingH2File(section);
        return factory(setup).create(new SchedulerContext(section.settings(), InstantSource.system(), envelope -> {
            throw new JobQueueException("jobq: this command opened the scheduler's store only, and hands no job to "
                    + "a queue (job " + envelope.jobId() + ")");
        }));
    }

    /**
     * An embedded H2 file that is not there is not created: opening it made an empty database (at the default
     * {@code ./data/jobq}, in whatever directory the command ran from), and the command listed nothing, so the user
     * believed nothing was scheduled. Commands that add a job, and {@code jobq run}, create it as they should.
     */
    private static void requireExistingH2File(SchedulerSection section) {
        H2File h2 = h2File(section);
        if (h2 == null || Files.exists(h2.file())) {
            return;
        }
        throw CommandFailure.failed("no scheduler database exists at " + h2.said() + ", and this command creates "
                + "none; run the command from the directory the workers run in, or set scheduler.jdbcUrl in the file "
                + "it reads (--config) to the database's absolute path, e.g. jdbc:h2:file:/srv/jobq/data/jobq");
    }

    /**
     * Before a command that may create the scheduler's database (one that adds a job): the embedded H2 file of the
     * file's {@code scheduler:} section when it does not exist yet, for {@link #noteIfCreated} to say after the
     * command; null when there is none (no section, another database, or the file is there).
     */
    static @Nullable H2File missingH2File(QueueSetup setup) {
        SchedulerSection section = setup.config().scheduler();
        H2File h2 = section == null ? null : h2File(section);
        return h2 == null || Files.exists(h2.file()) ? null : h2;
    }

    /**
     * After a command that succeeded: when it created the H2 file {@code missing}, says so on {@code err}. Run from
     * another directory than the workers', a command created a new database there and stored its job in it without a
     * word, and no worker ever ran the job. Creating it stays (a first {@code schedule add} on a new machine is
     * legitimate), and the exit status is the command's.
     */
    static void noteIfCreated(@Nullable H2File missing, PrintWriter err, String command) {
        if (missing == null || !Files.exists(missing.file())) {
            return;
        }
        err.println(command + ": note: no scheduler database existed at " + missing.said() + ", so this command "
                + "created one and stored the job there; " + (missing.relative()
                ? "a worker reads the file at the path its own working directory gives, and one that reads another "
                + "file never runs this job: run the command from the directory the workers run in, or set "
                + "scheduler.jdbcUrl to the database's absolute path, e.g. jdbc:h2:file:/srv/jobq/data/jobq"
                : "a worker whose scheduler.jdbcUrl names another file never runs this job"));
        err.flush();
    }

    /**
     * An embedded H2 file database as H2 reads its path.
     *
     * @param file     the absolute path of its {@code .mv.db} file
     * @param said     that path with the jdbcUrl as the config writes it (secrets masked) and, for a relative path,
     *                 the working directory it was read from, escaped
     * @param relative whether the path was read from the working directory
     */
    record H2File(Path file, String said, boolean relative) {
    }

    /** The section's embedded H2 file; null when its scheduler is not the JDBC one or its URL names no H2 file. */
    private static @Nullable H2File h2File(SchedulerSection section) {
        if (!JdbcSchedulerFactory.TYPE.equals(section.type())) {
            return null;
        }
        String url = section.settings().string("jdbcUrl", JdbcSchedulerFactory.DEFAULT_JDBC_URL).strip();
        String path = h2FilePath(url);
        if (path == null) {
            return null;
        }
        // H2's own reading: ~ is the user's home, a relative path the working directory's, the file the name + .mv.db
        Path file = Path.of((path.startsWith("~") ? System.getProperty("user.home") + path.substring(1) : path)
                + ".mv.db").toAbsolutePath().normalize();
        boolean relative = !path.startsWith("~") && !Path.of(path).isAbsolute();
        // the URL as the file writes it (jdbc:h2:file:PATH was said of jdbc:h2:PATH;AUTO_SERVER=TRUE), secrets masked;
        // escaped, the path and the working directory too: an ESC in the URL repainted the terminal, a newline forged
        // a line
        return new H2File(file, UntrustedText.escape(file + " (scheduler.jdbcUrl: " + Secrets.maskUrl(url)
                + (section.settings().has("jdbcUrl") ? "" : ", the default")
                + (relative ? "; a relative path is read from the working directory, " + Path.of("").toAbsolutePath()
                : "") + ")"), relative);
    }

    /**
     * The path of an embedded H2 file database ({@code jdbc:h2:file:PATH} or {@code jdbc:h2:PATH} with a path that H2
     * takes for a file: absolute, {@code ./}, {@code ../} or {@code ~}), without its parameters; null for any other
     * URL (in memory, a server, another file system), which H2 reports on itself.
     */
    static @Nullable String h2FilePath(String url) {
        if (!url.regionMatches(true, 0, "jdbc:h2:", 0, "jdbc:h2:".length())) {
            return null;
        }
        String where = url.substring("jdbc:h2:".length());
        int parameters = where.indexOf(';');
        if (parameters >= 0) {
            where = where.substring(0, parameters);
        }
        if (where.regionMatches(true, 0, "file:", 0, "file:".length())) {
            where = where.substring("file:".length());
        }
        boolean file = where.startsWith("./") || where.startsWith("../") || where.startsWith("~/")
                || where.startsWith("/");
        return file && where.length() > 2 && !where.endsWith("/") ? where : null;
    }

    private static SchedulerSection section(QueueSetup setup) {
        SchedulerSection section = setup.config().scheduler();
        if (section == null) {
            throw noScheduler(setup.configFileShown());
        }
        return section;
    }

    private static JobSchedulerFactory factory(QueueSetup setup) {
        SchedulerSection section = section(setup);
        ProviderCatalog catalog = ProviderCatalog.load(setup.classLoader());
        return catalog.scheduler(section.type())
                .orElseThrow(() -> new ConfigException(catalog.unknownScheduler(section.type())));
    }

    private static CommandFailure noScheduler(String configFile) {
        return CommandFailure.usage("no scheduler is configured in " + configFile + "; add a 'scheduler:' "
                + "section (e.g. scheduler: {jdbcUrl: jdbc:postgresql://db/jobq}) with dev.jobq:scheduler-jdbc on "
                + "the class path or its jar in --handlers; every process that shares the scheduler's database "
                + "sees the same scheduled and recurring jobs");
    }
}

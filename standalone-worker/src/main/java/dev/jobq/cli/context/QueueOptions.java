package dev.jobq.cli.context;

import dev.jobq.ConfigException;
import dev.jobq.internal.config.ConfigLoader;
import dev.jobq.internal.config.Limits;
import dev.jobq.internal.config.JobQueueConfig;
import dev.jobq.internal.discovery.ProviderCatalog;
import dev.jobq.spi.Secrets;
import dev.jobq.spi.UntrustedText;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options of every command that works with a queue: which config file, and which directory of
 * extra jars (handler modules, providers, schedulers). A picocli mixin.
 */
public final class QueueOptions {

    /** The environment variable naming the config file when {@code --config} is not given. */
    public static final String CONFIG_VARIABLE = "JOBQ_CONFIG";
    /** The config file when neither {@code --config} nor {@code JOBQ_CONFIG} names one. */
    public static final String DEFAULT_CONFIG = "jobq.yaml";
    /**
     * A file: URL with a host ({@code file://server/x}), which {@code Path.of} makes {@code file:/server/x}: the host
     * up to the path, query or fragment ({@code file://localhost?x=1} was told a host 'localhost?x=1'), the rest after.
     */
    private static final Pattern FILE_URL_WITH_HOST = Pattern.compile("(?i)file://([^/?#]+)([/?#].*)?");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The config file (default: ./" + DEFAULT_CONFIG + ", or $" + CONFIG_VARIABLE
                    + " when it is set).")
    private @Nullable String config; // as given: Path.of drops a file: URL's host (file://server/x is file:/server/x)

    @Option(names = "--handlers", paramLabel = "DIR",
            description = "A directory of jars to load handler modules, providers and schedulers from.")
    private @Nullable Path handlers;

    /** {@code --config}, else {@code $JOBQ_CONFIG}, else {@code jobq.yaml}. */
    public Path configFile(Map<String, String> environment) {
        if (config != null) {
            return Path.of(config);
        }
        String fromEnvironment = environment.get(CONFIG_VARIABLE);
        return Path.of(fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment.strip() : DEFAULT_CONFIG);
    }

    /**
     * An empty {@code --config} or {@code --handlers} ({@code --config "$CONF"} with CONF unset) names no file:
     * {@code Path.of("")} is the working directory, which was read as the config file ("is a directory, not a file")
     * or as the directory of handler jars, whose jars were then loaded.
     */
    private void requireNotEmpty() {
        if (config != null && config.isBlank()) {
            throw CommandFailure.usage("--config is empty; give the config file's path, or leave --config out to read $"
                    + CONFIG_VARIABLE + ", else ./" + DEFAULT_CONFIG);
        }
        if (handlers != null && handlers.toString().isBlank()) {
            throw CommandFailure.usage("--handlers is empty; give the directory that holds your handler jars, or leave "
                    + "--handlers out to use the class path alone");
        }
    }

    /**
     * The {@code --config} given, as a command a message advises repeats it, a shell word and a space after it
     * ({@code --config 'my jobs.yaml' }); empty without it: the advised command, pasted, read {@code ./jobq.yaml} (or
     * {@code $JOBQ_CONFIG}), another config than the one the user ran, where {@code $JOBQ_CONFIG} is read by both. A
     * relative path that starts with {@code -} is written with {@code ./}, which an option's value needs.
     */
    private String configArgument() {
        if (config == null) {
            return "";
        }
        String path = Path.of(config).toString();
        return "--config " + UntrustedText.shellArgument(path.startsWith("-") ? "./" + path : path) + " ";
    }

    /**
     * Sidekiq's {@code -c 10} is a concurrency; here {@code -c} names the config file, so "10" is no file. A number
     * that is no concurrency (0, or past {@link Limits#MAX_CONCURRENCY}) gets the range instead: "write
     * --concurrency 0" was advice the next run refused.
     */
    private String numberAdvice() {
        String given = config == null ? "" : config;
        if (!given.matches("\\d+")) {
            return "";
        }
        var handlers = new BigInteger(given);
        if (handlers.signum() < 1 || handlers.compareTo(BigInteger.valueOf(Limits.MAX_CONCURRENCY)) > 0) {
            return "; -c is --config, the config file; handlers at once are --concurrency N (jobq run) or "
                    + "worker.concurrency: N, from 1 to " + Limits.MAX_CONCURRENCY;
        }
        return "; -c is --config, the config file; for " + given
                + (handlers.equals(BigInteger.ONE) ? " handler" : " handlers") + " at once write --concurrency "
                + given + " (jobq run) or worker.concurrency: " + given;
    }

    /**
     * Refuses {@code given}, the config file as {@code --config} or {@code JOBQ_CONFIG} names it, where it is a
     * {@code file:} URL with a host that names no file here ({@code file://server/x}): {@code Path.of} made it
     * {@code file:/server/x}, as it makes {@code file:///server/x}, and the loader told the fix "write the path it
     * names, '/server/x'", the host taken for a directory, a path the URL does not name. {@code localhost} is this
     * machine: told the path it names, its percent-escapes decoded ({@link ConfigLoader#fileUrlFix}). One with a
     * password ({@code file://jobq:hunter2@host/x}) is left to the loader, which masks it.
     */
    private static void refuseAFileUrlWithAHost(@Nullable String given, Path file, String chooseAnother) {
        Matcher url = given == null ? null : FILE_URL_WITH_HOST.matcher(given.strip());
        if (url == null || !url.matches() || !Secrets.maskUrl(given.strip()).equals(given.strip())
                || Files.exists(file)) {
            return;
        }
        String host = url.group(1);
        String path = url.group(2) != null ? url.group(2) : "/";
        throw new ConfigException("'" + UntrustedText.escape(given.strip()) + "'", List.of("no such file: the config "
                + "file's path is a file: URL " + ("localhost".equalsIgnoreCase(host)
                ? "(of this machine, localhost), which jobq does not read as one" + ConfigLoader.fileUrlFix(path)
                : "naming a file on host '" + UntrustedText.escape(host) + "', which jobq does not read; write the "
                        + "file's path on this machine (where that host's files are mounted, if they are)")
                + ", or " + chooseAnother));
    }

    /**
     * Opens the {@code --handlers} jars and reads the config file with the context's environment,
     * checking all of it before anything connects.
     *
     * @throws dev.jobq.ConfigException with every problem of the file
     * @throws CommandFailure           when {@code --handlers} is not a directory of jars
     */
    public QueueSetup setup(CommandContext context) {
        requireNotEmpty();
        ClassLoader own = QueueOptions.class.getClassLoader();
        HandlerJars jars = handlers != null ? HandlerJars.open(handlers, own) : null;
        try {
            ClassLoader loader = jars != null ? jars.loader() : own;
            Path file = configFile(context.environment());
            String chooseAnother = "choose another with --config FILE or the " + CONFIG_VARIABLE
                    + " environment variable" + numberAdvice();
            refuseAFileUrlWithAHost(config != null ? config : context.environment().get(CONFIG_VARIABLE), file,
                    chooseAnother);
            JobQueueConfig checked = ConfigLoader.load(file, context.environment(), ProviderCatalog.load(loader),
                    chooseAnother);
            return new QueueSetup(context, file, configArgument(), checked, loader, jars);
        } catch (RuntimeException e) {
            if (jars != null) {
                jars.close();
            }
            throw e;
        }
    }
}

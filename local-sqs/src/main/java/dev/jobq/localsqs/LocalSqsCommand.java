package dev.jobq.localsqs;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code java -jar local-sqs.jar [--host 127.0.0.1] [--port 9324] [--queue jobs]}: starts a {@link LocalSqs}, creates
 * the queue and its dead-letter queue, prints their URLs and a {@code jobq.yaml} for them
 * ({@link ConfigSnippet}), and runs until Ctrl-C (or TERM) stops it. Exit status 1 when it cannot
 * start (the port is taken), 2 on bad usage (a --host that is not this machine's among them).
 */
@Command(name = "local-sqs",
        description = {"Runs a local SQS endpoint (ElasticMQ, in memory, no Docker) with a queue and its",
                "dead-letter queue, prints a jobq.yaml for them, and stops on Ctrl-C.",
                "For development only: the queues are gone when it stops."},
        footer = {"", "Exit status: 1 when it cannot start (the port is taken), 2 on bad usage."})
public final class LocalSqsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    private boolean help;

    /** Any whole number, so that one past an int's range is told the port's range in {@link #call()}. */
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + LocalSqs.DEFAULT_PORT, converter = WholeNumber.class,
            description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    private BigInteger port;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = LocalSqs.DEFAULT_HOST,
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(names = "--queue", paramLabel = "NAME", defaultValue = "jobs",
            description = {"The queue to create, with NAME-dlq as its dead-letter queue (default: ${DEFAULT-VALUE}).",
                    "A name ending in .fifo makes both FIFO queues."})
    private String queue;

    private static final int MAX_PORT = 65_535;

    /** Logback's configuration for the command; a library user of {@link LocalSqs} keeps its own. */
    static final String LOGGING = "local-sqs-logback.xml";

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", LOGGING);
        }
        System.exit(new CommandLine(new LocalSqsCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        // Bad usage is refused before a server starts: exit 2 with the option, the value and the rule.
        if (port.signum() < 0 || port.compareTo(BigInteger.valueOf(MAX_PORT)) > 0) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and " + MAX_PORT + ", got " + port);
        }
        try {
            LocalSqs.deadLetterName(queue);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--queue: " + e.getMessage());
        }
        Optional<String> hostProblem = hostProblem(host);
        if (hostProblem.isPresent()) {
            throw new ParameterException(spec.commandLine(), hostProblem.get());
        }
        LocalSqs sqs;
        try {
            sqs = LocalSqs.start(host, port.intValue());
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("local-sqs: " + e.getMessage());
            return 1;
        }
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("local-sqs-stop").unstarted(() -> {
            sqs.close();
            out.println("local-sqs: stopped");
            out.flush();
            stopped.countDown();
        }));
        printStarted(out, sqs, sqs.createQueues(queue), host);
        out.flush();
        stopped.await();
        return 0;
    }

    /** What a started server says: its endpoint, its queues' URLs and a jobq.yaml for them. */
    static void printStarted(PrintWriter out, LocalSqs sqs, LocalSqs.Queues queues, String host) {
        out.println("local-sqs: SQS endpoint on " + sqs.endpoint() + " (ElasticMQ; region " + LocalSqs.REGION
                + ", any access keys)");
        out.println("local-sqs: queue " + queues.name() + "  " + queues.url());
        out.println("local-sqs: queue " + queues.deadLetterName() + "  " + queues.deadLetterUrl() + "  (dead letters of "
                + queues.name() + ", redrive after " + LocalSqs.MAX_RECEIVE_COUNT + " receives)");
        wildcardNote(host).ifPresent(out::println);
        out.println("local-sqs: a jobq.yaml for it:");
        out.println();
        out.print(new ConfigSnippet(sqs.endpoint(), queues).yaml());
        out.println();
        out.println("local-sqs: running; Ctrl-C stops it (the queues live in memory and go with it)");
    }

    /**
     * For a --host of every address (0.0.0.0, ::), that the endpoint and queue URLs name that address, as ElasticMQ
     * writes the address it binds into them: they reach the server from this machine, not from another machine or a
     * container, where that address is their own. Which name or address reaches this machine depends on where the
     * client is (a container cannot resolve this machine's name; a port-mapped container's own name means nothing to
     * its host), so the URLs are kept and the note says what to put in their place.
     */
    static Optional<String> wildcardNote(String host) {
        var address = new InetSocketAddress(host, 0);
        if (address.isUnresolved() || !address.getAddress().isAnyLocalAddress()) {
            return Optional.empty();
        }
        String name;
        try {
            name = "this machine's name is " + InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            name = "e.g. this machine's name or an address of it";
        }
        return Optional.of("local-sqs: note: --host " + host + " listens on every address of this machine, but the URLs "
                + "above and the jobq.yaml below name " + host + ", which reaches this server only from this machine: "
                + "from another machine or a container, put a name or address that reaches this machine in its place ("
                + name + ")");
    }

    private static final String HOST_ADVICE = "; give --host one of this machine's names or addresses: "
            + LocalSqs.DEFAULT_HOST + " (the default) for this machine only, or 0.0.0.0 for all of them";

    /**
     * What makes {@code host} one this machine cannot listen on, naming --host, the value and the fix: it
     * is blank, does not resolve, or not to an address of this machine. Empty when it can, as far as that can be
     * told before binding (a port taken is no problem of the host's).
     */
    static Optional<String> hostProblem(String host) {
        if (host.isBlank()) { // the JDK would take it for loopback, but it makes no URL
            return Optional.of("--host '" + host + "' names no address" + HOST_ADVICE);
        }
        var address = new InetSocketAddress(host, 0);
        if (address.isUnresolved()) {
            return Optional.of("--host '" + host + "' does not resolve to an address" + HOST_ADVICE);
        }
        String ip = address.getAddress().getHostAddress();
        if (!isLocal(address.getAddress())) {
            return Optional.of("--host '" + host + "'" + (ip.equals(host) ? "" : " (" + ip + ")")
                    + " is not an address of this machine" + HOST_ADVICE);
        }
        return Optional.empty();
    }

    private static boolean isLocal(InetAddress address) {
        try {
            return address.isAnyLocalAddress() || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return true; // cannot tell: let the bind answer
        }
    }

    /** Reads --port: any whole number (its range is checked by {@link #call()}); other text is told how to write one. */
    static final class WholeNumber implements ITypeConverter<BigInteger> {
        @Override
        public BigInteger convert(String value) {
            try {
                return new BigInteger(value.strip());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number; write the port in digits, e.g. "
                        + LocalSqs.DEFAULT_PORT);
            }
        }
    }
}

package dev.jobq.cli.admin;

import dev.jobq.cli.context.QueueSession;
import dev.jobq.internal.runtime.JobQueueRuntime;
import dev.jobq.spi.UntrustedText;
import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;

/**
 * Warns when an operations command works on a queue of the memory provider that it built itself:
 * such a queue lives only in the command's own process, so what the command sees or changes is not
 * what any worker sees.
 */
final class MemoryQueueNote {

    /** The memory provider's type. */
    static final String MEMORY = "memory";

    private MemoryQueueNote() {
    }

    /** What to do instead, for a command that a shared provider serves. */
    private static final String SHARE_THE_QUEUE = "configure a shared provider (type: sqs) to reach the queue your workers "
            + "consume";

    static void warnIfProcessLocal(QueueSession session, String queue, PrintWriter err, String command) {
        warnIfProcessLocal(session, queue, err, command, SHARE_THE_QUEUE);
    }

    /** @param instead what the user can do instead, said after the note */
    static void warnIfProcessLocal(QueueSession session, String queue, PrintWriter err, String command,
                                   String instead) {
        if (session.ownsQueue() && session.queue() instanceof JobQueueRuntime runtime) {
            warnIfMemory(runtime.providerTypes().get(queue), queue, err, command, instead);
        }
    }

    /** For a queue whose provider of type {@code type} the command created itself, without a queue around it. */
    static void warnIfProcessLocal(String type, String queue, PrintWriter err, String command) {
        warnIfProcessLocal(type, queue, err, command, SHARE_THE_QUEUE);
    }

    /** As above; {@code instead} is what the user can do instead, said after the note. */
    static void warnIfProcessLocal(String type, String queue, PrintWriter err, String command, String instead) {
        warnIfMemory(type, queue, err, command, instead);
    }

    /**
     * Printed straight to stderr, not through the failure reporter: the queue's name is escaped here (a name may hold a
     * U+202E; escaping one a caller escaped already changes nothing).
     */
    private static void warnIfMemory(@Nullable String type, String queue, PrintWriter err, String command, String instead) {
        if (MEMORY.equals(type)) {
            err.println(command + ": note: queue '" + UntrustedText.escape(queue) + "' is a memory queue (type: memory): it lives only in "
                    + "this command's process and ends with it; " + instead);
            err.flush();
        }
    }
}

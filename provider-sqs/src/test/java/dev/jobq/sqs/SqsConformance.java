package dev.jobq.sqs;

import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.Settings;
import dev.jobq.tck.QueueProviderContract;
import dev.jobq.tck.TimeControl;
import java.time.Duration;
import java.util.Map;

/**
 * The conformance suite on a real SQS server: each test gets a new queue and dead-letter queue, a
 * two-second visibility timeout, three-second delays and five-second long polls (close() waits for the
 * polls in flight), so that the real-time waits stay short.
 */
abstract class SqsConformance extends QueueProviderContract {

    /** The server under test. */
    protected abstract SqsServer server();

    /** True to run the suite on a FIFO queue. */
    protected abstract boolean fifo();

    /** The queues of the provider last made. */
    private SqsServer.Queues queues;

    @Override
    protected QueueProvider newProvider(ProviderContext context) {
        SqsServer.Queues queues = server().newQueues(context.queueName(), fifo());
        this.queues = queues;
        Settings settings = Settings.of("test", "provider",
                server().settings(queues, Map.of("visibilityTimeout", "2s", "waitTime", "5s")));
        return new SqsProviderFactory().create(new ProviderContext(context.queueName(), settings, context.clock()));
    }

    /** The dead-letter queue goes away, as an operator's mistake or a policy deletes it: SQS refuses every copy. */
    @Override
    protected boolean breakDeadLetterStore() {
        server().client().deleteQueue(r -> r.queueUrl(queues.deadLetterUrl()));
        return true;
    }

    @Override
    protected TimeControl newTimeControl() {
        return TimeControl.realTime(Duration.ofSeconds(5));
    }

    @Override
    protected Duration testDelay() {
        return Duration.ofSeconds(3);
    }

    @Override
    protected int concurrentJobCount() {
        return 400;
    }
}

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
 * two-second visibility timeout and three-second delays, so that the real-time waits stay short.
 */
abstract class SqsConformance extends QueueProviderContract {

    /** The queues of the current test; subclasses create them in {@link #newQueues(String)}. */
    protected ElasticMq.Queues queues;

    protected abstract ElasticMq.Queues newQueues(String name);

    @Override
    protected QueueProvider newProvider(ProviderContext context) {
        queues = newQueues(context.queueName());
        Settings settings = Settings.of("test", "provider",
                ElasticMq.settings(queues, Map.of("visibilityTimeout", "2s")));
        return new SqsProviderFactory().create(new ProviderContext(context.queueName(), settings, context.clock()));
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

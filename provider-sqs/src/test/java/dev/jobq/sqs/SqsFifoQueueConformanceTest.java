package dev.jobq.sqs;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SQS provider on a FIFO queue of a real SQS server (ElasticMQ) passes the conformance suite,
 * deduplication included; the tests that need a per-message delay are skipped, as a FIFO queue
 * declares none, and so is the one of a key freed when its job is settled: SQS keeps it five minutes.
 */
@DisplayName("SQS provider conformance, FIFO queue (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsFifoQueueConformanceTest extends SqsConformance {

    @Override
    protected SqsServer server() {
        return ElasticMq.server();
    }

    @Override
    protected boolean fifo() {
        return true;
    }

    /** SQS keeps a MessageDeduplicationId for five minutes, settled or not (docs/sqs.md, limits). */
    @Override
    protected boolean releasesDeduplicationKeyWhenSettled() {
        return false;
    }
}

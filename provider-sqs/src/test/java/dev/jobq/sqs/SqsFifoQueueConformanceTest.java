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

    /**
     * A FIFO queue hands out one message per receive, and none of a group while one is in flight: the
     * concurrency test's jobs, all of one type and so of one group, go through one at a time. 400 took
     * 21 s alone and 25 to 38 s in the full build, against the test's bound of 60 s; 100 take 4 to 6 s.
     */
    @Override
    protected int concurrentJobCount() {
        return 100;
    }

    /** SQS keeps a MessageDeduplicationId for five minutes, settled or not (docs/sqs.md, limits). */
    @Override
    protected boolean releasesDeduplicationKeyWhenSettled() {
        return false;
    }

    /** SQS keeps a FIFO queue's MessageDeduplicationIds to itself: jobHoldingKey knows none. */
    @Override
    protected boolean looksUpDeduplicationKeys() {
        return false;
    }
}

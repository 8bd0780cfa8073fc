package dev.jobq.sqs;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;

/** The SQS provider on a standard queue of a real SQS server (ElasticMQ) passes the conformance suite. */
@DisplayName("SQS provider conformance, standard queue (ElasticMQ)")
@ExtendWith(ElasticMq.class)
class SqsStandardQueueConformanceTest extends SqsConformance {

    @Override
    protected SqsServer server() {
        return ElasticMq.server();
    }

    @Override
    protected boolean fifo() {
        return false;
    }
}

package dev.jobq.memory;

import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.tck.QueueProviderContract;
import dev.jobq.tck.TimeControl;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

/**
 * The memory provider on the system clock with two-second leases passes the suite as a real-time
 * provider (SQS) must: this keeps the suite's real-time path honest without a server.
 */
@DisplayName("Memory provider conformance on real time")
class MemoryProviderRealTimeConformanceTest extends QueueProviderContract {

    @Override
    protected QueueProvider newProvider(ProviderContext context) {
        return new MemoryProviderFactory().create(context);
    }

    @Override
    protected Map<String, ?> providerSettings() {
        return Map.of("leaseDuration", "2s");
    }

    @Override
    protected TimeControl newTimeControl() {
        return TimeControl.realTime(Duration.ofSeconds(5));
    }

    @Override
    protected Duration testDelay() {
        return Duration.ofSeconds(3);
    }
}

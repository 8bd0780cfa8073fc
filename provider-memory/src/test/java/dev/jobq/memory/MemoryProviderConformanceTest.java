package dev.jobq.memory;

import dev.jobq.spi.ProviderContext;
import dev.jobq.spi.QueueProvider;
import dev.jobq.tck.QueueProviderContract;
import org.junit.jupiter.api.DisplayName;

/** The memory provider on a settable clock passes the whole conformance suite, every feature declared. */
@DisplayName("Memory provider conformance")
class MemoryProviderConformanceTest extends QueueProviderContract {

    @Override
    protected QueueProvider newProvider(ProviderContext context) {
        return new MemoryProviderFactory().create(context);
    }
}

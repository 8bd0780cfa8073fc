package dev.jobq.internal.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jobq.Backoff;
import dev.jobq.JobListener;
import dev.jobq.WorkerMode;
import dev.jobq.spi.JobScheduler;
import dev.jobq.spi.QueueProvider;
import dev.jobq.spi.SchedulerContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Everything {@link dev.jobq.JobQueueBuilder} collected, handed to {@link JobQueueRuntime#create}. */
public record RuntimeSpec(@Nullable Path configFile, Map<String, String> environment,
                          Map<String, ProviderChoice> providers, WorkerOverrides worker,
                          @Nullable SchedulerChoice scheduler, InstantSource clock, @Nullable ObjectMapper objectMapper,
                          ClassLoader classLoader, List<JobListener> listeners) {

    /** A queue's provider, by type name or as an instance. */
    public sealed interface ProviderChoice {
        record Configured(String type, Map<String, ?> settings) implements ProviderChoice {
        }

        record Instance(QueueProvider provider) implements ProviderChoice {
        }
    }

    /** The scheduler, by type name or built by a function, or none. */
    public sealed interface SchedulerChoice {
        record Configured(String type, Map<String, ?> settings) implements SchedulerChoice {
        }

        record Instance(Function<SchedulerContext, JobScheduler> factory) implements SchedulerChoice {
        }

        /** No scheduler, whatever the file says. */
        record None() implements SchedulerChoice {
        }
    }

    /** Worker settings made in code; null means "as the file says, or the default". */
    public record WorkerOverrides(@Nullable WorkerMode mode, @Nullable List<String> queues,
                                  @Nullable Integer concurrency, @Nullable Duration pollInterval,
                                  @Nullable Duration shutdownTimeout, @Nullable Backoff backoff) {
    }
}

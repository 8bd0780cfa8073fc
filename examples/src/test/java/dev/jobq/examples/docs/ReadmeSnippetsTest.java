package dev.jobq.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jobq.EnqueueOptions;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobHandler;
import dev.jobq.JobHandlerModule;
import dev.jobq.JobHandlerRegistry;
import dev.jobq.JobInfo;
import dev.jobq.JobQueue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeSnippetsTest {
    record Email(String to, String subject) {}
    record Report(String name) {}
    record Invoice(String number) {}

    @TempDir Path dir;

    @Test
    void inYourCode() throws Exception {
        Path yaml = dir.resolve("jobq.yaml");
        Files.writeString(yaml, "provider:\n  type: memory\nqueues:\n  reports: { type: memory }\nworker:\n  concurrency: 5\n  shutdownTimeout: 30s\n");
        List<Email> sent = new CopyOnWriteArrayList<>();
        var mailer = (java.util.function.Consumer<Email>) sent::add;
        JobHandler<Report> reports = (job, ctx) -> { };
        Email later = new Email("b@example.com", "later");
        List<Email> newsletter = List.of(new Email("c@example.com", "n"), new Email("d@example.com", "n"));

        var done = new CountDownLatch(3);
        JobQueue jobs = JobQueue.fromConfig(yaml);
        jobs.addListener(e -> { if (e instanceof JobEvent.Completed) done.countDown(); });
        jobs.registerJobHandler("email:send", Email.class, (job, ctx) -> {
            ctx.log("sending to {}", job.payload().to());
            mailer.accept(job.payload());
        });
        jobs.registerJobHandler("report:build", Report.class, reports,
                HandlerOptions.defaults().maxAttempts(5).timeout(Duration.ofMinutes(10)).queue("reports"));
        jobs.start();
        jobs.enqueue("email:send", new Email("user@example.com", "Welcome!"));
        String delayed = jobs.enqueue("email:send", later, EnqueueOptions.delay(Duration.ofMinutes(5)));
        jobs.enqueueAll("email:send", newsletter);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(jobs.getJob(delayed).map(JobInfo::state).orElseThrow()).hasToString("DELAYED");
        String report = jobs.enqueue("report:build", new Report("q3"), EnqueueOptions.delay(Duration.ofHours(1)));
        var options = jobs.getJob(report).orElseThrow().options();
        assertThat(options.maxAttempts()).isEqualTo(5);
        assertThat(options.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(options.queue()).isEqualTo("reports");
        jobs.close();
    }

    public static final class BillingHandlers implements JobHandlerModule {
        public void register(JobHandlerRegistry registry) {
            registry.registerJobHandler("invoice:send", Invoice.class, (job, ctx) -> { });
        }
    }

    @Test
    void standalone() throws Exception {
        Path yaml = dir.resolve("jobq.yaml");
        Files.writeString(yaml, "provider:\n  type: memory\nworker:\n  mode: standalone\n");
        JobQueue jobs = JobQueue.builder().config(yaml).handlerModules(new BillingHandlers()).build();
        String id = jobs.enqueue("invoice:send", new Invoice("1"));
        assertThat(jobs.getJob(id)).isPresent();
        jobs.close();
    }
}

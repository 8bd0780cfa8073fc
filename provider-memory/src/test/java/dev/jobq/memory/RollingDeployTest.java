package dev.jobq.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.jobq.Backoff;
import dev.jobq.HandlerOptions;
import dev.jobq.JobEvent;
import dev.jobq.JobQueue;
import dev.jobq.spi.QueueProvider;
import dev.jobq.testing.SettableClock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A rolling deploy: for a while old and new producers and workers share one queue (docs/operations.md,
 * "Deploying a change to a job"). A job an old worker cannot run is dead at once with the fix, and a new
 * worker runs it once it is redriven; payload changes that keep old and new workers reading each other's
 * jobs are the default mapper's.
 */
class RollingDeployTest {

    private final WorkerFixture fixture = new WorkerFixture();
    private final EventRecorder events = fixture.events;
    private final SettableClock clock = SettableClock.atEpochOf2026();
    private final QueueProvider shared = fixture.closeLater(MemoryProviderFactory.builder().clock(clock).build());

    @AfterEach
    void closeAll() throws Exception {
        fixture.close();
    }

    /** A worker (and producer) of one release, on the queue every release shares. */
    private JobQueue release() {
        return fixture.closeLater(JobQueue.builder().provider(new KeepOpen(shared)).clock(clock).concurrency(1)
                .shutdownTimeout(Duration.ofSeconds(5)).backoff(Backoff.none()).listener(events).build());
    }

    record ReportV1(String id) {
    }

    record ReportV2(String id, String format) {
    }

    @Test
    @DisplayName("a job of a type an old worker has no handler for is dead at once with the fix, and runs on a new "
            + "worker once redriven")
    void unknownTypeIsDeadAtOnceAndRunsWhenRedriven() throws InterruptedException {
        JobQueue old = release();
        old.registerJobHandler("report:v1", ReportV1.class, (job, ctx) -> { });
        old.start();
        String id = release().enqueue("report:v2", new ReportV2("r-1", "pdf")); // a new producer, deployed first

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.jobId()).isEqualTo(id);
        assertThat(dead.attempt()).as("dead on its first attempt, of the default 3").isEqualTo(1);
        assertThat(dead.error()).isEqualTo("no handler for job type 'report:v2' in this worker (registered: "
                + "report:v1); register one with JobQueue.registerJobHandler or run this queue on workers that have "
                + "it (in a rolling deploy, deploy those workers before the producers), then redrive this dead letter");
        assertThat(events.all(JobEvent.Failed.class)).as("not postponed").isEmpty();
        old.close(); // the deploy replaces the old worker

        var ran = new LinkedBlockingQueue<ReportV2>();
        JobQueue current = release();
        current.registerJobHandler("report:v2", ReportV2.class, (job, ctx) -> ran.add(job.payload()));
        current.start();
        assertThat(current.deadLetters("default").orElseThrow().redrive(id)).isTrue();

        assertThat(ran.poll(20, TimeUnit.SECONDS)).isEqualTo(new ReportV2("r-1", "pdf"));
        JobEvent.Completed done = events.awaitCount(JobEvent.Completed.class, 1).get(0);
        assertThat(done.jobId()).isEqualTo(id);
        assertThat(done.attempt()).as("a fresh set of attempts").isEqualTo(1);
        assertThat(current.deadLetters("default").orElseThrow().list(10)).isEmpty();
    }

    enum Format { PDF, CSV }

    enum FormatV2 { PDF, CSV, XLSX }

    record Export(String id, Format format) {
    }

    record ExportV2(String id, FormatV2 format) {
    }

    @Test
    @DisplayName("a payload an old worker cannot bind (an enum constant it does not know) is dead at once, naming "
            + "the class, the field and the fix")
    void unbindablePayloadIsDeadAtOnceWithTheFix() {
        JobQueue worker = release();
        worker.registerJobHandler("export", Export.class, (job, ctx) -> { });
        worker.start();
        String id = worker.enqueue("export", new ExportV2("e-1", FormatV2.XLSX));

        JobEvent.Dead dead = events.awaitCount(JobEvent.Dead.class, 1).get(0);
        assertThat(dead.jobId()).isEqualTo(id);
        assertThat(dead.attempt()).as("dead on its first attempt, of the default 3").isEqualTo(1);
        assertThat(dead.error()).startsWith("payload cannot be read as dev.jobq.memory.RollingDeployTest$Export: "
                        + "field 'format': ")
                .contains("\"XLSX\"")
                .endsWith("; if a newer producer wrote it, deploy the workers with the new class before the "
                        + "producers, then redrive this dead letter (docs/wire-format.md#changing-a-payload-class)");
        assertThat(events.all(JobEvent.Failed.class)).as("not postponed").isEmpty();
        assertThat(worker.deadLetters("default").orElseThrow().list(10)).singleElement()
                .satisfies(letter -> assertThat(letter.error()).isEqualTo(dead.error()));
    }

    @Test
    @DisplayName("an enum constant only a new producer knows: dead at once on the old worker, run by a new worker "
            + "once redriven")
    void newEnumConstantRunsOnANewWorkerOnceRedriven() throws InterruptedException {
        JobQueue old = release();
        old.registerJobHandler("export", Export.class, (job, ctx) -> { });
        old.start();
        String id = old.enqueue("export", new ExportV2("e-1", FormatV2.XLSX));
        assertThat(events.awaitCount(JobEvent.Dead.class, 1).get(0).jobId()).isEqualTo(id);
        old.close();

        var ran = new LinkedBlockingQueue<ExportV2>();
        JobQueue current = release();
        current.registerJobHandler("export", ExportV2.class, (job, ctx) -> ran.add(job.payload()));
        current.start();
        assertThat(current.deadLetters("default").orElseThrow().redrive(id)).isTrue();

        assertThat(ran.poll(20, TimeUnit.SECONDS)).isEqualTo(new ExportV2("e-1", FormatV2.XLSX));
        assertThat(events.awaitCount(JobEvent.Completed.class, 1).get(0).jobId()).isEqualTo(id);
    }

    enum Channel {
        EMAIL, SMS, @JsonEnumDefaultValue UNKNOWN
    }

    enum ChannelV2 { EMAIL, SMS, UNKNOWN, PUSH }

    record Notice(String to, Channel channel) {
    }

    record NoticeV2(String to, ChannelV2 channel) {
    }

    @Test
    @DisplayName("an enum with a @JsonEnumDefaultValue constant reads a constant it does not know as that default")
    void newEnumConstantReadsAsTheDeclaredDefault() throws InterruptedException {
        var ran = new LinkedBlockingQueue<Notice>();
        JobQueue old = release();
        old.registerJobHandler("notice", Notice.class, (job, ctx) -> ran.add(job.payload()));
        old.start();
        old.enqueue("notice", new NoticeV2("a@example.com", ChannelV2.PUSH));

        assertThat(ran.poll(20, TimeUnit.SECONDS)).isEqualTo(new Notice("a@example.com", Channel.UNKNOWN));
    }

    record Invoice(String id) {
    }

    record InvoiceV2(String id, long cents, boolean urgent, String currency) {
    }

    @Test
    @DisplayName("a field added: an old worker ignores it, and a new worker reads an old job's missing fields as "
            + "0, false, null")
    void addedFieldIsReadBothWays() throws InterruptedException {
        var oldRan = new LinkedBlockingQueue<Invoice>();
        JobQueue old = release();
        old.registerJobHandler("invoice", Invoice.class, (job, ctx) -> oldRan.add(job.payload()));
        old.start();
        old.enqueue("invoice", new InvoiceV2("i-1", 1250, true, "EUR")); // new producer, old worker
        assertThat(oldRan.poll(20, TimeUnit.SECONDS)).isEqualTo(new Invoice("i-1"));
        old.close();

        var newRan = new LinkedBlockingQueue<InvoiceV2>();
        JobQueue current = release();
        current.registerJobHandler("invoice", InvoiceV2.class, (job, ctx) -> newRan.add(job.payload()));
        current.start();
        current.enqueue("invoice", new Invoice("i-2")); // old producer, new worker
        assertThat(newRan.poll(20, TimeUnit.SECONDS)).isEqualTo(new InvoiceV2("i-2", 0, false, null));
        assertThat(events.all(JobEvent.Failed.class)).isEmpty();
    }

    record InvoiceRequired(String id, @JsonProperty(required = true) String currency) {
    }

    record InvoiceChecked(String id, String currency) {
        InvoiceChecked {
            Objects.requireNonNull(currency, "currency");
        }
    }

    @Test
    @DisplayName("a field the new class requires: an old producer's job is dead at once on the new worker, the "
            + "field named")
    void requiredFieldAddedKillsOldJobs() {
        JobQueue current = release();
        current.registerJobHandler("invoice:required", InvoiceRequired.class, (job, ctx) -> { });
        current.registerJobHandler("invoice:checked", InvoiceChecked.class, (job, ctx) -> { });
        current.start();
        String required = current.enqueue("invoice:required", new Invoice("i-1")); // an old producer's job
        String checked = current.enqueue("invoice:checked", new Invoice("i-2"));

        var dead = events.awaitCount(JobEvent.Dead.class, 2);
        assertThat(dead).extracting(JobEvent.Dead::attempt).containsOnly(1);
        assertThat(dead).filteredOn(d -> d.jobId().equals(required)).singleElement()
                .satisfies(d -> assertThat(d.error()).startsWith("payload cannot be read as "
                        + "dev.jobq.memory.RollingDeployTest$InvoiceRequired: ").contains("'currency'"));
        assertThat(dead).filteredOn(d -> d.jobId().equals(checked)).singleElement()
                .satisfies(d -> assertThat(d.error()).startsWith("payload cannot be read as "
                        + "dev.jobq.memory.RollingDeployTest$InvoiceChecked: ").contains("currency"));
    }

    record Mail(String recipient) {
    }

    record MailRenamed(@JsonAlias("recipient") String to) {
    }

    record MailRenamedNoAlias(String to) {
    }

    @Test
    @DisplayName("a field renamed: @JsonAlias reads the old name; without it the old value is dropped silently")
    void renamedFieldNeedsAnAlias() throws InterruptedException {
        var withAlias = new LinkedBlockingQueue<MailRenamed>();
        var withoutAlias = new LinkedBlockingQueue<MailRenamedNoAlias>();
        JobQueue worker = release();
        worker.registerJobHandler("mail", MailRenamed.class, (job, ctx) -> withAlias.add(job.payload()));
        worker.registerJobHandler("mail:plain", MailRenamedNoAlias.class,
                (job, ctx) -> withoutAlias.add(job.payload()));
        worker.start();
        worker.enqueue("mail", new Mail("a@example.com"));
        worker.enqueue("mail:plain", new Mail("a@example.com"));

        assertThat(withAlias.poll(20, TimeUnit.SECONDS)).isEqualTo(new MailRenamed("a@example.com"));
        assertThat(withoutAlias.poll(20, TimeUnit.SECONDS)).isEqualTo(new MailRenamedNoAlias(null));
    }

    @Test
    @DisplayName("a type's attempts and timeout changed between enqueue and run: the job keeps those it was "
            + "enqueued with")
    void optionsChangedByADeployApplyToJobsEnqueuedAfterIt() throws InterruptedException {
        JobQueue old = release(); // the producer of the release before: 2 attempts, 1 min
        old.registerJobHandler("sync", ReportV1.class, (job, ctx) -> { },
                HandlerOptions.defaults().maxAttempts(2).timeout(Duration.ofMinutes(1)));
        String queuedBefore = old.enqueue("sync", new ReportV1("before"));

        var runs = new AtomicInteger();
        var seen = new LinkedBlockingQueue<String>();
        JobQueue current = release(); // this release: 1 attempt, 5 min
        current.registerJobHandler("sync", ReportV1.class, (job, ctx) -> {
            seen.add(job.payload().id() + " " + job.options().maxAttempts() + " " + job.options().timeout());
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first run fails");
            }
        }, HandlerOptions.defaults().maxAttempts(1).timeout(Duration.ofMinutes(5)));
        current.start();

        assertThat(seen.poll(20, TimeUnit.SECONDS)).isEqualTo("before 2 PT1M");
        assertThat(seen.poll(20, TimeUnit.SECONDS)).as("retried: it carries 2 attempts").isEqualTo("before 2 PT1M");
        assertThat(events.awaitCount(JobEvent.Completed.class, 1).get(0).jobId()).isEqualTo(queuedBefore);

        current.enqueue("sync", new ReportV1("after"));
        assertThat(seen.poll(20, TimeUnit.SECONDS)).isEqualTo("after 1 PT5M");
    }
}

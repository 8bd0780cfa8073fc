package dev.jobq;

/** Receives {@link JobEvent}s. Called on the thread where the event happened: keep it quick. */
@FunctionalInterface
public interface JobListener {

    void onEvent(JobEvent event);
}

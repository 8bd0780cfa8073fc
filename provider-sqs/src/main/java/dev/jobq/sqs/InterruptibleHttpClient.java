package dev.jobq.sqs;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * The HTTP client of the receiving SQS client: a view of a shared client that can abort every call
 * it has in flight. The SDK gives no way to cancel a blocking long poll from another thread, but its
 * HTTP layer does ({@link ExecutableHttpRequest#abort()}); {@link #abortAll()} uses it so that
 * {@code close()} wakes receivers at once instead of after up to 20 s of long polling. Closing this
 * view leaves the shared client open.
 */
final class InterruptibleHttpClient implements SdkHttpClient {

    private final SdkHttpClient shared;
    private final Set<ExecutableHttpRequest> inFlight = ConcurrentHashMap.newKeySet();
    private volatile boolean aborted;

    InterruptibleHttpClient(SdkHttpClient shared) {
        this.shared = shared;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest call = shared.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                inFlight.add(this);
                try {
                    if (aborted) {
                        throw new IOException("the SQS provider is closed; receive calls are refused");
                    }
                    return call.call();
                } finally {
                    inFlight.remove(this);
                }
            }

            @Override
            public void abort() {
                call.abort();
            }
        };
    }

    /** Aborts every call in flight and refuses new ones. */
    void abortAll() {
        aborted = true;
        inFlight.forEach(ExecutableHttpRequest::abort);
    }

    @Override
    public String clientName() {
        return shared.clientName();
    }

    @Override
    public void close() {
        // The shared client belongs to SqsConnection, which closes it.
    }
}

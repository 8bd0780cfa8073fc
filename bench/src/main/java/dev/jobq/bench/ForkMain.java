package dev.jobq.bench;

import dev.jobq.bench.runner.Probe;
import dev.jobq.bench.runner.Scale;
import dev.jobq.bench.runner.Workload;

/**
 * The entry point of a forked run: {@code ForkMain <workload id> <QUICK|FULL> <run>}. Reports on
 * standard output for the runner; exits with status 1 when the workload throws.
 */
public final class ForkMain {

    private ForkMain() {
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: ForkMain <workload id> <QUICK|FULL> <run>");
            System.exit(2);
        }
        Workload workload = Workloads.byId(args[0]).orElseThrow(() -> new IllegalArgumentException(
                "unknown workload " + args[0]));
        try {
            workload.run(Scale.valueOf(args[1]), new Probe(System.out, Integer.parseInt(args[2])));
        } catch (Exception | AssertionError e) {
            System.err.println(workload.id() + " failed:");
            e.printStackTrace();
            System.exit(1);
        }
        // Workers and pools a workload left behind must not keep the fork alive.
        System.exit(0);
    }
}

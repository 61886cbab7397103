package dev.amishare.tests.bench;

import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.DeployedSystem;
import dev.amishare.tests.Executions;
import dev.amishare.tests.Fleet;
import dev.amishare.tests.GoldenAmi;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.DescribeMapRunResponse;

/**
 * Organization-scale benchmark ({@code tests/bench/org-scale.sh}), not a test: deploys the system, gives
 * {@code N} fleet accounts (default 1,000) the consumer role, resets the emulator's request log, shares one
 * golden AMI (two volumes under two customer-managed keys) with all of them, launch only, in one execution,
 * and prints the wall time, the parent's history events, the child executions of each Map Run, the owner
 * account's mutating calls by operation and the size of each key policy.
 *
 * <p>Arguments: the emulator's endpoint, the class path the CDK app runs with, optionally N.
 */
public final class OrgScaleBenchmark {

    private OrgScaleBenchmark() {
    }

    public static void main(String[] args) throws InterruptedException {
        URI endpoint = URI.create(args[0]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        DeployedSystem system = DeployedSystem.deploy(endpoint, args[1], true);
        try (Aws aws = new Aws(endpoint)) {
            long t0 = System.nanoTime();
            List<String> accounts = Fleet.accounts(1, n);
            new Fleet(aws).createRoles(accounts, Fleet.Permissions.FULL);
            System.out.printf("consumer roles in %d fleet accounts: %.1f s%n", n, seconds(t0));
            GoldenAmi ami = GoldenAmi.create(aws, GoldenAmi.Spec.standard());
            String input = Fleet.shareRequest(ami.imageId(), accounts.stream().map(Fleet::launchOnly).toList(), 0);

            Fleet.resetRequestLog(endpoint);
            long start = System.nanoTime();
            String arn = Executions.start(aws.sfn(Accounts.OWNER), system.stateMachineArn(), input);
            DescribeExecutionResponse execution = Executions.follow(aws.sfn(Accounts.OWNER), arn,
                    Duration.ofMinutes(90), state -> { });
            double wall = seconds(start);
            List<Fleet.RequestCount> log = Fleet.requestLog(endpoint);

            System.out.printf("share with %d launch-only targets: %s in %.1f s%n", n, execution.status(), wall);
            if (execution.output() != null) {
                System.out.printf("summary: %s%n", Executions.output(execution).path("message").asText());
            } else {
                System.out.printf("error: %s %s%n", execution.error(), execution.cause());
            }
            System.out.printf("parent history events: %d%n", Fleet.history(aws.sfn(Accounts.OWNER), arn).size());
            for (DescribeMapRunResponse run : Fleet.mapRuns(aws.sfn(Accounts.OWNER), arn)) {
                var c = run.executionCounts();
                System.out.printf("map run %s: %d child executions (%d succeeded, %d failed)%n",
                        run.mapRunArn().substring(run.mapRunArn().lastIndexOf(':', run.mapRunArn().lastIndexOf(':') - 1) + 1),
                        c.total(), c.succeeded(), c.failed());
            }
            Map<String, Long> mutating = new TreeMap<>();
            for (Fleet.RequestCount r : log) {
                if (r.account().equals(Accounts.OWNER) && !r.operation().matches("(Describe|Get|List|Head).*")) {
                    mutating.merge(r.service() + " " + r.operation(), r.count(), Long::sum);
                }
            }
            System.out.println("owner-side (" + Accounts.OWNER + ") non-read calls:");
            mutating.forEach((op, count) -> System.out.printf("  %-40s %d%n", op, count));
            long grants = mutating.entrySet().stream().filter(e -> e.getKey().startsWith("ec2 ")
                    || e.getKey().startsWith("kms ")).mapToLong(Map.Entry::getValue).sum();
            int keys = ami.keyArns().size();
            System.out.printf("EC2 and KMS changes: %d (bound 2 + keys + ceil(snapshots x copying / 500) = %d)%n",
                    grants, 2 + keys);
            for (String key : ami.keyArns()) {
                String policy = aws.kms(Accounts.OWNER).getKeyPolicy(r -> r.keyId(key).policyName("default")).policy();
                System.out.printf("key policy %s: %d bytes, %d accounts%n", key,
                        policy.getBytes(StandardCharsets.UTF_8).length, Fleet.keyPolicyCallerAccounts(policy).size());
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}

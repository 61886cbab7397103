package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amishare.functions.keypolicy.KeyPolicyChange;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyResult;
import dev.amishare.functions.model.Principals;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Fleet;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.SharedAmi;
import dev.amishare.tests.Stages;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13's measurement on the emulator's KMS and DynamoDB: before the key-policy lease, eight simultaneous
 * grants to the same two keys left up to six of the eight accounts out of a policy. Each thread is its own
 * "container" (its own handler and clients), as eight concurrent Lambda invocations are.
 */
@ExtendWith(LocalStackExtension.class)
class KeyPolicyConcurrencyIT {

    private final Aws aws;

    KeyPolicyConcurrencyIT(Aws aws) {
        this.aws = aws;
    }

    @Test
    void grant_shouldLeaveAllEightAccountsInEveryKeyPolicy_whenEightInvocationsRunAtOnce() throws Exception {
        // GIVEN an AMI under two customer-managed keys and eight accounts of the organization
        SharedAmi ami = SharedAmi.create(aws);
        List<String> accounts = Fleet.accounts(701, 8);
        List<Stages> containers = new ArrayList<>();
        for (int i = 0; i < accounts.size(); i++) {
            containers.add(new Stages(aws));
        }
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger leaseRefusals = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(accounts.size());
        List<Future<KeyPolicyResult>> results = new ArrayList<>();

        // WHEN eight invocations start together, each adding its own account to both keys, and an invocation
        // refused the lease runs again, as the state machine's retry of KeyPolicyLeaseHeldException does
        try {
            for (int i = 0; i < accounts.size(); i++) {
                Stages stages = containers.get(i);
                KeyPolicyInput input = new KeyPolicyInput(ami.ownerKeyArns(),
                        Principals.ofAccounts(List.of(accounts.get(i))), null, false, "it-concurrent-" + i,
                        ami.imageId());
                results.add(pool.submit(() -> {
                    start.await();
                    while (true) {
                        try {
                            return Handlers.invoke(stages.keyPolicy, input, KeyPolicyResult.class);
                        } catch (RuntimeException e) {
                            if (!isLeaseHeld(e)) {
                                throw e;
                            }
                            leaseRefusals.incrementAndGet();
                            Thread.onSpinWait();
                        }
                    }
                }));
            }
            start.countDown();
            List<KeyPolicyResult> done = new ArrayList<>();
            for (Future<KeyPolicyResult> result : results) {
                done.add(result.get(120, TimeUnit.SECONDS));
            }

            // THEN every invocation verified its account on both keys, and both policies hold all eight
            assertThat(done).allSatisfy(r -> assertThat(r.keys()).extracting(KeyPolicyChange::verified)
                    .containsExactly(true, true));
            Stages reader = containers.get(0);
            for (String key : ami.ownerKeyArns()) {
                assertThat(Fleet.keyPolicyCallerAccounts(reader.keyPolicy(key))).as(key)
                        .containsExactlyInAnyOrderElementsOf(accounts);
            }
            // and the writers did contend: at least one invocation found the lease held
            assertThat(leaseRefusals.get()).isPositive();
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean isLeaseHeld(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("KeyPolicyLeaseHeldException")) {
                return true;
            }
        }
        return false;
    }
}

package dev.amishare.functions.readiness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.amishare.functions.model.MapRunOutput;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.MapRuns;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectReadyServiceTest {

    private static final String ORG = "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5";
    private static final List<ShareRequest.Copy> COPY =
            List.of(new ShareRequest.Copy("eu-west-1", "alias/golden-ami"));
    private static final ShareRequest.Target T222 = new ShareRequest.Target("222222222222", COPY);
    private static final ShareRequest.Target T333 = new ShareRequest.Target("333333333333", null);
    private static final ShareRequest.Target T444 = new ShareRequest.Target("444444444444", COPY);
    private static final ShareRequest.Target T555 = new ShareRequest.Target("555555555555", null);
    private static final ShareRequest.Target T666 = new ShareRequest.Target("666666666666", null);

    private final FakeS3 s3 = new FakeS3();
    private final SelectReadyService service = new SelectReadyService(s3.store());

    private TargetSet targets(ShareRequest.Target... targets) {
        S3Location at = s3.seed("shares/exec-1/targets.json", List.of(targets));
        return new TargetSet(at, targets.length, List.of(ORG), null);
    }

    private static CheckTargetsInput batch(ShareRequest.Target... items) {
        return new CheckTargetsInput(ReadinessServiceTest.CONTEXT, List.of(items));
    }

    @Test
    void select_shouldSplitTheTargets_whenBatchesSucceededFailedOrAreMissing() {
        // GIVEN five targets: a succeeded batch (222 ready, 333 not ready), a batch that failed after its
        // retries (444, 555), and 666 that no result mentions
        TargetSet all = targets(T222, T333, T444, T555, T666);
        MapRunOutput checks = new MapRuns(s3, "shares/exec-1/checks/run")
                .succeeded(batch(T222, T333), new CheckTargetsResult(List.of(
                        new Readiness("222222222222", true, List.of()),
                        new Readiness("333333333333", false, List.of("Cannot assume consumer role x")))))
                .failed(batch(T444, T555), "States.Timeout", "batch timed out")
                .write();

        // WHEN
        ReadyTargets result = service.select(new SelectReadyInput(checks, all, "exec-1"));

        // THEN only 222 is ready; every other target is not ready with its reason
        assertThat(result.readyCount()).isEqualTo(1);
        assertThat(result.copyingCount()).isEqualTo(1);
        assertThat(result.notReadyCount()).isEqualTo(4);
        assertThat(result.anyToGrant()).isTrue();
        assertThat(result.ready().accounts()).isEqualTo(new S3Location(FakeS3.BUCKET, "shares/exec-1/ready.json"));
        assertThat(result.ready().accountCount()).isEqualTo(1);
        assertThat(result.ready().organizationArns()).containsExactly(ORG);
        assertThat(s3.read("shares/exec-1/ready.json", new TypeReference<List<ShareRequest.Target>>() {
        })).containsExactly(T222);
        List<Readiness> notReady = s3.read("shares/exec-1/not-ready.json", new TypeReference<List<Readiness>>() {
        });
        assertThat(result.notReady()).isEqualTo(new S3Location(FakeS3.BUCKET, "shares/exec-1/not-ready.json"));
        assertThat(notReady).containsExactly(
                new Readiness("333333333333", false, List.of("Cannot assume consumer role x")),
                new Readiness("444444444444", false,
                        List.of("readiness check failed: States.Timeout: batch timed out")),
                new Readiness("555555555555", false,
                        List.of("readiness check failed: States.Timeout: batch timed out")),
                new Readiness("666666666666", false, List.of("no readiness result for this target")));
    }

    @Test
    void select_shouldWriteNoReadyList_whenNoTargetIsReady() {
        // GIVEN one target, not ready, and no organization or OU
        S3Location at = s3.seed("shares/exec-1/targets.json", List.of(T333));
        TargetSet all = new TargetSet(at, 1, null, null);
        MapRunOutput checks = new MapRuns(s3, "shares/exec-1/checks/run")
                .succeeded(batch(T333), new CheckTargetsResult(List.of(
                        new Readiness("333333333333", false, List.of("iam allows ec2:RunInstances: FAILED")))))
                .write();

        // WHEN
        ReadyTargets result = service.select(new SelectReadyInput(checks, all, "exec-1"));

        // THEN nobody to grant to: the workflow skips the grants
        assertThat(result.readyCount()).isZero();
        assertThat(result.notReadyCount()).isEqualTo(1);
        assertThat(result.anyToGrant()).isFalse();
        assertThat(result.ready().accounts()).isNull();
        assertThat(s3.writtenKeys()).containsExactly("shares/exec-1/not-ready.json");
    }

    @Test
    void select_shouldStillGrantTheOrganization_whenNoAccountIsReady() {
        // GIVEN a share with an organization and one account that is not ready
        TargetSet all = targets(T333);
        MapRunOutput checks = new MapRuns(s3, "shares/exec-1/checks/run")
                .succeeded(batch(T333), new CheckTargetsResult(List.of(
                        new Readiness("333333333333", false, List.of("no role")))))
                .write();

        // WHEN
        ReadyTargets result = service.select(new SelectReadyInput(checks, all, "exec-1"));

        // THEN the organization has no role to check and is granted as asked
        assertThat(result.anyToGrant()).isTrue();
        assertThat(result.ready().organizationArns()).containsExactly(ORG);
        assertThat(result.ready().accounts()).isNull();
    }
}

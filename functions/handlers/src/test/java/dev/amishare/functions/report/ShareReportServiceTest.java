package dev.amishare.functions.report;

import dev.amishare.functions.testing.FakeDynamoDb;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.amishare.functions.model.MapRunOutput;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.TargetSet;
import dev.amishare.functions.readiness.Readiness;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.MapRuns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShareReportServiceTest {

    private static final String IMAGE = "ami-0123456789abcdef0";

    private final FakeS3 s3 = new FakeS3();
    private final ShareReportService service = new ShareReportService(s3.store(), FakeDynamoDb.ledger());

    private TargetSet targets(List<String> accounts) {
        S3Location at = s3.seed("shares/exec-1/targets.json",
                accounts.stream().map(a -> new ShareRequest.Target(a, null)).toList());
        return new TargetSet(at, accounts.size(), null, null);
    }

    private S3Location notReady(List<String> accounts) {
        return s3.seed("shares/exec-1/not-ready.json", accounts.stream()
                .map(a -> new Readiness(a, false, List.of("Cannot assume consumer role of " + a))).toList());
    }

    /** The per-target Map's input for one target, as the workflow builds it. */
    private static Map<String, Object> item(String account) {
        return Map.of("target", Map.of("accountId", account, "copy", List.of()), "imageId", IMAGE);
    }

    private static List<String> accounts(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> String.format("%012d", 100000000000L + i)).toList();
    }

    private ShareReportInput input(int tolerance, TargetSet targets, S3Location notReady, MapRunOutput results) {
        return new ShareReportInput(IMAGE, "exec-1", false, tolerance, targets, notReady, results);
    }

    @Test
    void report_shouldGiveEachTargetItsOutcome_whenChildrenEndedDifferently() {
        // GIVEN five targets: 222 not ready, 333 validated (launch only), 444 copied, 555 failed in a
        // child, 666 granted without any result
        TargetSet all = targets(List.of("222222222222", "333333333333", "444444444444", "555555555555",
                "666666666666"));
        MapRunOutput results = new MapRuns(s3, "shares/exec-1/targets/run")
                .succeeded(item("333333333333"), Map.of("accountId", "333333333333"))
                .succeeded(item("444444444444"), Map.of("accountId", "444444444444", "copies",
                        List.of(Map.of("region", "eu-west-1", "imageId", "ami-0fedcba9876543210",
                                "state", "available"))))
                .failed(item("555555555555"), "dev.amishare.errors.ConsumerValidationFailedException",
                        "{\"errorMessage\":\"Target account 555555555555 failed 1 consumer checks\","
                                + "\"errorType\":\"dev.amishare.errors.ConsumerValidationFailedException\"}")
                .write();

        // WHEN
        ShareSummary summary = service.report(input(0, all, notReady(List.of("222222222222")), results));

        // THEN the report lists every target in request order, with its status and reasons
        ShareReport report = s3.read("shares/exec-1/report.json", new TypeReference<ShareReport>() {
        });
        assertThat(report.targets()).extracting(TargetOutcome::accountId, TargetOutcome::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("222222222222", TargetOutcome.Status.NOT_READY),
                org.assertj.core.groups.Tuple.tuple("333333333333", TargetOutcome.Status.VALIDATED),
                org.assertj.core.groups.Tuple.tuple("444444444444", TargetOutcome.Status.COPIED),
                org.assertj.core.groups.Tuple.tuple("555555555555", TargetOutcome.Status.FAILED),
                org.assertj.core.groups.Tuple.tuple("666666666666", TargetOutcome.Status.GRANTED));
        assertThat(report.targets().get(2).copies())
                .containsExactly(new TargetOutcome.Copy("eu-west-1", "ami-0fedcba9876543210", "available"));
        assertThat(report.targets().get(3).reasons()).containsExactly(
                "ConsumerValidationFailedException: Target account 555555555555 failed 1 consumer checks");
        assertThat(report.targets().get(4).reasons())
                .containsExactly("granted, but its validation did not finish");
        // AND the summary counts them; three failed (not ready, failed, unfinished)
        assertThat(summary.counts()).isEqualTo(new ShareSummary.Counts(5, 1, 1, 1, 1, 1));
        assertThat(summary.failed()).extracting(ShareSummary.FailedTarget::accountId)
                .containsExactly("222222222222", "555555555555", "666666666666");
        assertThat(summary.moreFailed()).isZero();
        assertThat(summary.withinTolerance()).isFalse();
        assertThat(summary.report()).isEqualTo(new S3Location(FakeS3.BUCKET, "shares/exec-1/report.json"));
        assertThat(summary.reportUri()).isEqualTo("s3://" + FakeS3.BUCKET + "/shares/exec-1/report.json");
        assertThat(summary.message()).startsWith("2 of 5 targets succeeded (1 copied, 1 validated); 3 failed"
                + " (1 not ready), tolerated 0%: 222222222222 not ready (Cannot assume consumer role of 222222222222),"
                + " 555555555555 failed (ConsumerValidationFailedException: Target account 555555555555 failed 1"
                + " consumer checks), 666666666666 granted (granted, but its validation did not finish)");
    }

    @Test
    void report_shouldTakeBackOnlyFromFailedGrantedTargets_whenSomeWereNotReady() {
        // GIVEN 222 not ready (it got nothing), 555 failed after its grants, 666 unfinished, 333 validated
        TargetSet all = targets(List.of("222222222222", "333333333333", "555555555555", "666666666666"));
        MapRunOutput results = new MapRuns(s3, "shares/exec-1/targets/run")
                .succeeded(item("333333333333"), Map.of("accountId", "333333333333"))
                .failed(item("555555555555"), "CopyFailedException", "copy failed")
                .write();

        // WHEN
        ShareSummary summary = service.report(input(0, all, notReady(List.of("222222222222")), results));

        // THEN the rollback list names 555 and 666, neither the not-ready 222 nor the validated 333
        assertThat(summary.rollback().accountCount()).isEqualTo(2);
        assertThat(summary.rollback().accounts())
                .isEqualTo(new S3Location(FakeS3.BUCKET, "shares/exec-1/rollback.json"));
        assertThat(s3.read("shares/exec-1/rollback.json", new TypeReference<List<ShareRequest.Target>>() {
        })).extracting(ShareRequest.Target::accountId).containsExactly("555555555555", "666666666666");
    }

    @Test
    void report_shouldWriteNoRollbackList_whenOnlyNotReadyTargetsFailed() {
        // GIVEN
        TargetSet all = targets(List.of("222222222222", "333333333333"));
        MapRunOutput results = new MapRuns(s3, "shares/exec-1/targets/run")
                .succeeded(item("333333333333"), Map.of("accountId", "333333333333")).write();

        // WHEN
        ShareSummary summary = service.report(input(50, all, notReady(List.of("222222222222")), results));

        // THEN
        assertThat(summary.rollback()).isEqualTo(TargetSet.NONE);
        assertThat(s3.text("shares/exec-1/rollback.json")).isNull();
        assertThat(summary.withinTolerance()).isTrue();
    }

    @Test
    void report_shouldFailTheShare_whenOneOfTwentyFailsAndNothingIsTolerated() {
        // GIVEN 20 targets, 19 validated and one not ready: 5 % failed
        List<String> accounts = accounts(0, 20);
        MapRuns run = new MapRuns(s3, "shares/exec-1/targets/run");
        accounts.subList(1, 20).forEach(a -> run.succeeded(item(a), Map.of("accountId", a)));
        MapRunOutput results = run.write();
        TargetSet all = targets(accounts);
        S3Location notReady = notReady(List.of(accounts.get(0)));

        // WHEN
        ShareSummary strict = service.report(input(0, all, notReady, results));
        ShareSummary tolerant = service.report(input(5, all, notReady, results));

        // THEN 0 % tolerates nothing; 5 % tolerates exactly this one failure
        assertThat(strict.withinTolerance()).isFalse();
        assertThat(strict.toleratedFailurePercentage()).isZero();
        assertThat(tolerant.withinTolerance()).isTrue();
        assertThat(tolerant.toleratedFailurePercentage()).isEqualTo(5);
        assertThat(tolerant.message()).startsWith("19 of 20 targets succeeded").contains("tolerated 5%")
                .doesNotContain(accounts.get(0) + " not ready");
    }

    @Test
    void report_shouldListAtMostTwentyFailedTargets_whenMoreFailed() {
        // GIVEN 25 targets, none ready
        List<String> accounts = accounts(0, 25);
        TargetSet all = targets(accounts);

        // WHEN no target was granted, so the per-target Map did not run
        ShareSummary summary = service.report(input(0, all, notReady(accounts), null));

        // THEN the summary names the first 20 and counts the rest; the report names all 25
        assertThat(summary.failed()).hasSize(ShareReportService.MAX_FAILED_LISTED)
                .extracting(ShareSummary.FailedTarget::accountId).containsExactlyElementsOf(accounts.subList(0, 20));
        assertThat(summary.failed()).allSatisfy(f -> {
            assertThat(f.status()).isEqualTo(TargetOutcome.Status.NOT_READY);
            assertThat(f.reason()).startsWith("Cannot assume consumer role of ");
        });
        assertThat(summary.moreFailed()).isEqualTo(5);
        assertThat(summary.counts().notReady()).isEqualTo(25);
        assertThat(summary.message()).contains(" and 5 more; report s3://");
        ShareReport report = s3.read("shares/exec-1/report.json", new TypeReference<ShareReport>() {
        });
        assertThat(report.targets()).hasSize(25);
        assertThat(summary.rollback()).isEqualTo(TargetSet.NONE);
    }

    @Test
    void report_shouldKeepTheSummaryBounded_whenThereAreAThousandTargets() {
        // GIVEN 1,000 targets that all failed after their grants
        List<String> accounts = accounts(0, 1000);
        MapRuns run = new MapRuns(s3, "shares/exec-1/targets/run");
        accounts.forEach(a -> run.failed(item(a), "States.TaskFailed", "x"));
        MapRunOutput results = run.write();

        // WHEN
        ShareSummary summary = service.report(input(0, targets(accounts), null, results));

        // THEN the execution's output names 20 accounts whatever N is
        String json = dev.amishare.functions.common.Json.write(summary);
        long named = new ArrayList<>(accounts).stream().filter(json::contains).count();
        assertThat(named).isEqualTo(20);
        assertThat(summary.moreFailed()).isEqualTo(980);
        assertThat(summary.rollback().accountCount()).isEqualTo(1000);
    }
}

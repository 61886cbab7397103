package dev.amishare.functions.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.keypolicy.KeyPolicyDocument;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.RecordingKms;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.kms.model.KeyManagerType;

class AccessReportServiceTest {

    static final String OWNER = "111111111111";
    static final String IMAGE = "ami-0123456789abcdef0";
    static final String OTHER_IMAGE = "ami-0fedcba9876543210";
    static final String SNAP_A = "snap-11111111";
    static final String SNAP_B = "snap-22222222";
    static final String KEY = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    static final String AWS_EBS = "arn:aws:kms:us-east-1:111111111111:key/0000abcd-12ab-34cd-56ef-1234567890ab";
    static final String ALICE = "222222222222";
    static final String BOB = "333333333333";
    static final String OU = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456";

    private final FakeEc2 ec2 = new FakeEc2();
    private final RecordingKms kms = new RecordingKms()
            .key(KEY, KeyManagerType.CUSTOMER)
            .key(AWS_EBS, KeyManagerType.AWS, "alias/aws/ebs");
    private final List<RecordedGrant> ledger = new ArrayList<>();
    private final AccessReportService service = new AccessReportService(ec2, kms,
            resource -> ledger.stream().filter(g -> g.resource().equals(resource)).toList());

    {
        ec2.account = OWNER;
    }

    private void image(String owner, String... snapshotIds) {
        List<BlockDeviceMapping> mappings = new ArrayList<>();
        for (int i = 0; i < snapshotIds.length; i++) {
            String id = snapshotIds[i];
            mappings.add(BlockDeviceMapping.builder().deviceName("/dev/xvd" + (char) ('a' + i))
                    .ebs(e -> e.snapshotId(id)).build());
        }
        ec2.images.put(IMAGE, Image.builder().imageId(IMAGE).ownerId(owner).state(ImageState.AVAILABLE)
                .blockDeviceMappings(mappings).build());
    }

    private void snapshot(String id, String keyArn) {
        ec2.snapshots.put(id, Snapshot.builder().snapshotId(id).encrypted(keyArn != null).kmsKeyId(keyArn).build());
    }

    private void launch(String... principals) {
        ec2.launchPermissions.put(IMAGE, new LinkedHashSet<>(List.of(principals)));
    }

    private void volume(String snapshotId, String... accounts) {
        ec2.volumePermissions.put(snapshotId, new LinkedHashSet<>(List.of(accounts)));
    }

    /** amishare's statements of the key hold these principals. */
    private void keyHolds(String... principals) {
        List<String> accounts = new ArrayList<>();
        List<String> ous = new ArrayList<>();
        for (String p : principals) {
            (p.startsWith("arn:") ? ous : accounts).add(p);
        }
        KeyPolicyDocument policy = KeyPolicyDocument.parse(RecordingKms.DEFAULT_POLICY, KEY);
        policy.grant(new Principals(accounts, null, ous));
        kms.policies.put(KEY, policy.json());
    }

    private void recorded(String kind, String resource, String principal, String imageId, String shareId) {
        ledger.add(new RecordedGrant(kind, resource, principal, imageId, shareId, "arn:aws:states:exec:" + shareId,
                "2026-12-01T10:00:00Z", "arn:aws:iam::111111111111:role/Releaser"));
    }

    /** The image shared with ALICE and the OU by share-1: launch, SNAP_A and KEY, all recorded. */
    private void sharedAndRecorded() {
        image(OWNER, SNAP_A);
        snapshot(SNAP_A, KEY);
        launch(ALICE, OU);
        volume(SNAP_A, ALICE);
        keyHolds(ALICE, OU);
        recorded("LAUNCH", IMAGE, ALICE, IMAGE, "share-1");
        recorded("LAUNCH", IMAGE, OU, IMAGE, "share-1");
        recorded("SNAPSHOT", SNAP_A, ALICE, IMAGE, "share-1");
        recorded("KEY", KEY, ALICE, IMAGE, "share-1");
        recorded("KEY", KEY, OU, IMAGE, "share-1");
    }

    private static PrincipalAccess principal(AccessReport report, String kind, String resource, String principal) {
        return report.resources().stream().filter(r -> r.kind().equals(kind) && r.resource().equals(resource))
                .flatMap(r -> r.principals().stream()).filter(p -> p.principal().equals(principal)).findFirst()
                .orElseThrow(() -> new AssertionError(kind + " " + resource + " has no " + principal));
    }

    @Test
    void report_shouldFindNoDrift_whenTheLedgerRecordsEveryAccess() {
        // GIVEN
        sharedAndRecorded();
        recorded("LAUNCH", IMAGE, ALICE, IMAGE, "share-0");

        // WHEN
        AccessReport report = service.report(IMAGE);

        // THEN every resource is listed, launch first, each principal OK with its shares
        assertThat(report.imageId()).isEqualTo(IMAGE);
        assertThat(report.region()).isEqualTo("us-east-1");
        assertThat(report.drift()).isFalse();
        assertThat(report.driftCount()).isZero();
        assertThat(report.resources()).extracting(ResourceAccess::kind, ResourceAccess::resource).containsExactly(
                tuple("LAUNCH", IMAGE),
                tuple("SNAPSHOT", SNAP_A),
                tuple("KEY", KEY));
        assertThat(report.resources().get(0).principals()).containsExactly(
                new PrincipalAccess(ALICE, true, List.of("share-0", "share-1"), "OK"),
                new PrincipalAccess(OU, true, List.of("share-1"), "OK"));
        assertThat(report.resources().get(1).principals()).containsExactly(
                new PrincipalAccess(ALICE, true, List.of("share-1"), "OK"));
        assertThat(report.resources().get(2).principals()).containsExactly(
                new PrincipalAccess(ALICE, true, List.of("share-1"), "OK"),
                new PrincipalAccess(OU, true, List.of("share-1"), "OK"));
        // AND the report only read
        assertThat(ec2.imageModifications).isEmpty();
        assertThat(ec2.snapshotModifications).isEmpty();
        assertThat(kms.puts).isEmpty();
    }

    @Test
    void report_shouldReportUnrecorded_whenALaunchPermissionHasNoGrantItem() {
        // GIVEN somebody gave BOB launch permission with ModifyImageAttribute
        sharedAndRecorded();
        launch(ALICE, OU, BOB);

        // WHEN
        AccessReport report = service.report(IMAGE);

        // THEN
        assertThat(principal(report, "LAUNCH", IMAGE, BOB))
                .isEqualTo(new PrincipalAccess(BOB, true, List.of(), "UNRECORDED"));
        assertThat(principal(report, "LAUNCH", IMAGE, ALICE).verdict()).isEqualTo("OK");
        assertThat(report.driftCount()).isEqualTo(1);
        assertThat(report.drift()).isTrue();
    }

    @Test
    void report_shouldReportMissing_whenAGrantItemOutlivesItsLaunchPermission() {
        // GIVEN somebody took ALICE's launch permission away outside amishare
        sharedAndRecorded();
        launch(OU);

        // WHEN
        AccessReport report = service.report(IMAGE);

        // THEN
        assertThat(principal(report, "LAUNCH", IMAGE, ALICE))
                .isEqualTo(new PrincipalAccess(ALICE, false, List.of("share-1"), "MISSING"));
        assertThat(principal(report, "LAUNCH", IMAGE, OU).verdict()).isEqualTo("OK");
        assertThat(report.driftCount()).isEqualTo(1);
        assertThat(report.drift()).isTrue();
    }

    @Test
    void report_shouldCountAKeyPrincipalAsOk_whenAnotherImagesShareRecordedIt() {
        // GIVEN BOB holds the key because another image under it was shared with him
        sharedAndRecorded();
        keyHolds(ALICE, OU, BOB);
        recorded("KEY", KEY, BOB, OTHER_IMAGE, "share-9");

        // WHEN
        AccessReport report = service.report(IMAGE);

        // THEN
        assertThat(principal(report, "KEY", KEY, BOB))
                .isEqualTo(new PrincipalAccess(BOB, true, List.of("share-9"), "OK"));
        assertThat(report.drift()).isFalse();
    }

    @Test
    void report_shouldMatchAnOuGrantWithItsPolicyPath_whenTheKeyHoldsTheOu() {
        // GIVEN the key's OU statement holds only the path of the OU, and a second OU nobody recorded
        sharedAndRecorded();
        String otherOu = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-99999999";
        keyHolds(ALICE, OU, otherOu);

        // WHEN
        AccessReport report = service.report(IMAGE);

        // THEN the recorded OU is OK under its ARN, the other shows as the policy holds it
        assertThat(principal(report, "KEY", KEY, OU).verdict()).isEqualTo("OK");
        assertThat(principal(report, "KEY", KEY, "o-a1b2c3d4e5/*/ou-ab12-99999999/*"))
                .isEqualTo(new PrincipalAccess("o-a1b2c3d4e5/*/ou-ab12-99999999/*", true, List.of(), "UNRECORDED"));
        assertThat(report.driftCount()).isEqualTo(1);
    }

    @Test
    void report_shouldReportMissing_whenTheKeyPolicyLostARecordedPrincipal() {
        // GIVEN somebody removed the OU from amishare's statements
        sharedAndRecorded();
        keyHolds(ALICE);

        // WHEN
        AccessReport report = service.report(IMAGE);

        // THEN
        assertThat(principal(report, "KEY", KEY, OU))
                .isEqualTo(new PrincipalAccess(OU, false, List.of("share-1"), "MISSING"));
        assertThat(report.driftCount()).isEqualTo(1);
    }

    @Test
    void report_shouldReportSnapshotDrift_whenCreateVolumePermissionDiffersFromTheLedger() {
        // GIVEN a second snapshot: ALICE lost its permission, BOB got one nobody recorded
        sharedAndRecorded();
        image(OWNER, SNAP_B, SNAP_A);
        snapshot(SNAP_B, null);
        recorded("SNAPSHOT", SNAP_B, ALICE, IMAGE, "share-1");
        volume(SNAP_B, BOB);

        // WHEN
        AccessReport report = service.report(IMAGE);

        // THEN the snapshots are sorted, SNAP_A is as recorded, SNAP_B has both kinds of drift
        assertThat(report.resources()).extracting(ResourceAccess::resource).containsExactly(IMAGE, SNAP_A, SNAP_B, KEY);
        assertThat(report.resources().get(2).principals()).containsExactly(
                new PrincipalAccess(ALICE, false, List.of("share-1"), "MISSING"),
                new PrincipalAccess(BOB, true, List.of(), "UNRECORDED"));
        assertThat(principal(report, "SNAPSHOT", SNAP_A, ALICE).verdict()).isEqualTo("OK");
        assertThat(report.driftCount()).isEqualTo(2);
        assertThat(report.drift()).isTrue();
    }

    @Test
    void report_shouldLeaveTheKeyOut_whenASnapshotUsesAnAwsManagedKey() {
        // GIVEN
        image(OWNER, SNAP_A);
        snapshot(SNAP_A, "alias/aws/ebs");
        volume(SNAP_A, ALICE);

        // WHEN
        AccessReport report = service.report(IMAGE);

        // THEN the snapshot is reported, no key is, and no key policy was read
        assertThat(report.resources()).extracting(ResourceAccess::kind).containsExactly("LAUNCH", "SNAPSHOT");
        assertThat(principal(report, "SNAPSHOT", SNAP_A, ALICE).verdict()).isEqualTo("UNRECORDED");
        assertThat(kms.reads).isZero();
    }

    @Test
    void report_shouldRaiseImageNotFound_whenTheImageBelongsToAnotherAccount() {
        // GIVEN an image of another account, visible to the caller
        image("999999999999", SNAP_A);
        snapshot(SNAP_A, null);

        // WHEN / THEN
        assertThatThrownBy(() -> service.report(IMAGE))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining(IMAGE)
                .hasMessageContaining("us-east-1");
        assertThat(ec2.imageQueries).singleElement().satisfies(q -> assertThat(q.owners()).containsExactly("self"));
    }

    @Test
    void report_shouldRaiseImageNotFound_whenEc2DoesNotKnowTheImage() {
        assertThatThrownBy(() -> service.report(IMAGE))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining(IMAGE);
    }

    @Test
    void report_shouldRaiseThrottled_whenEc2Throttles() {
        // GIVEN
        sharedAndRecorded();
        ec2.failWithCode = "RequestLimitExceeded";

        // WHEN / THEN
        assertThatThrownBy(() -> service.report(IMAGE)).isInstanceOf(AwsThrottledException.class);
    }

    @Test
    void report_shouldWriteOnlyItsFieldsAsJson_whenSerialised() {
        // GIVEN
        sharedAndRecorded();
        launch(ALICE, OU, BOB);

        // WHEN
        String json = Json.write(service.report(IMAGE));

        // THEN the API returns the records' fields and nothing derived
        AccessReport back = Json.read(json, AccessReport.class);
        assertThat(back).isEqualTo(service.report(IMAGE));
        assertThat(json).startsWith("{\"imageId\":\"" + IMAGE + "\",\"region\":\"us-east-1\",\"resources\":[")
                .contains("{\"principal\":\"" + BOB + "\",\"present\":true,\"shareIds\":[],\"verdict\":\"UNRECORDED\"}")
                .endsWith("\"driftCount\":1,\"drift\":true}");
    }
}

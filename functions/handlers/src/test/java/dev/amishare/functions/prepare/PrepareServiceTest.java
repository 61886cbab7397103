package dev.amishare.functions.prepare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.amishare.errors.OutsidePerimeterException;
import dev.amishare.errors.AwsManagedKeyException;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.ImageNotAvailableException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.errors.ImageNotOwnedException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.testing.FakeEc2;
import dev.amishare.functions.testing.FakeS3;
import dev.amishare.functions.testing.FakeDynamoDb;
import dev.amishare.functions.testing.Perimeters;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.RecordingKms;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.kms.model.KeyManagerType;

class PrepareServiceTest {

    static final String OWNER = "111111111111";
    static final String IMAGE = "ami-0123456789abcdef0";
    static final String KEY_A = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    static final String KEY_B = "arn:aws:kms:us-east-1:111111111111:key/9999abcd-12ab-34cd-56ef-1234567890ab";
    static final String AWS_EBS = "arn:aws:kms:us-east-1:111111111111:key/0000abcd-12ab-34cd-56ef-1234567890ab";

    private final FakeEc2 ec2 = new FakeEc2();
    private final RecordingKms kms = new RecordingKms()
            .key(KEY_A, KeyManagerType.CUSTOMER, "alias/golden")
            .key(KEY_B, KeyManagerType.CUSTOMER)
            .key(AWS_EBS, KeyManagerType.AWS, "alias/aws/ebs");
    private final FakeSts sts = new FakeSts(OWNER);
    private final FakeS3 s3 = new FakeS3();
    /** OU ARN → the accounts Organizations lists under it; the calls are recorded. */
    private final Map<String, List<String>> ouAccounts = new java.util.HashMap<>();
    private final List<String> listedOus = new ArrayList<>();
    private final PrepareService service = new PrepareService(ec2, kms, sts, Perimeters.testGuard(), ou -> {
        listedOus.add(ou);
        return ouAccounts.getOrDefault(ou, List.of());
    }, s3.store(), FakeDynamoDb.ledger());

    private static final TypeReference<List<ShareRequest.Target>> TARGETS = new TypeReference<>() {
    };

    /** The baseline Prepare wrote to S3. */
    private AccessBaseline baseline(PreparedShare prepared) {
        return s3.read(prepared.baseline().key(), new TypeReference<AccessBaseline>() {
        });
    }

    static PrepareInput input(String requestJson) {
        return new PrepareInput(Json.read(requestJson, JsonNode.class), "exec-1");
    }

    private static final String REQUEST = """
            {"imageId":"ami-0123456789abcdef0","targets":[
              {"accountId":"222222222222","copy":[{"region":"eu-west-1","kmsKeyId":"alias/golden-ami"}]},
              {"accountId":"333333333333"}]}""";

    private void image(ImageState state, String owner, String... snapshotIds) {
        Image.Builder b = Image.builder().imageId(IMAGE).name("golden-2026-11").ownerId(owner).state(state);
        java.util.List<BlockDeviceMapping> mappings = new java.util.ArrayList<>();
        for (int i = 0; i < snapshotIds.length; i++) {
            String id = snapshotIds[i];
            mappings.add(BlockDeviceMapping.builder().deviceName("/dev/xvd" + (char) ('a' + i)).ebs(e -> e.snapshotId(id))
                    .build());
        }
        // An instance-store mapping carries no snapshot and must be skipped.
        mappings.add(BlockDeviceMapping.builder().deviceName("/dev/sdb").virtualName("ephemeral0").build());
        ec2.images.put(IMAGE, b.blockDeviceMappings(mappings).build());
    }

    private void snapshot(String id, String keyId) {
        ec2.snapshots.put(id, Snapshot.builder().snapshotId(id).encrypted(keyId != null).kmsKeyId(keyId).build());
    }

    @Test
    void prepare_shouldRecordTheAccessTargetsAlreadyHave_whenSomeWereSharedBefore() {
        // GIVEN 222 already has launch permission, create-volume permission and a place in amishare's
        // statements of KEY_A, the OU already has launch permission, and 333 has nothing yet
        String ou = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456";
        image(ImageState.AVAILABLE, OWNER, "snap-11111111", "snap-22222222");
        snapshot("snap-11111111", KEY_A);
        snapshot("snap-22222222", KEY_B);
        ec2.launchPermissions.put(IMAGE, new java.util.LinkedHashSet<>(
                java.util.List.of("222222222222", ou, "444444444444")));
        ec2.volumePermissions.put("snap-11111111", new java.util.LinkedHashSet<>(java.util.List.of("222222222222")));
        new KeyPolicyService(kms, Perimeters.testGuard(), s3.store(), FakeDynamoDb.ledger()).grant(new KeyPolicyInput(List.of(KEY_A),
                new Principals(List.of("222222222222", "444444444444"), null, List.of(ou)), null, false, null));
        int writes = kms.puts.size();

        // WHEN
        PreparedShare prepared = service.prepare(input("""
                {"imageId":"ami-0123456789abcdef0","organizationalUnitArns":["%s"],"targets":[
                  {"accountId":"222222222222","copy":[{"region":"eu-west-1","kmsKeyId":"alias/golden-ami"}]},
                  {"accountId":"333333333333"}]}""".formatted(ou)));

        // THEN only the request's principals that already had access are recorded, per resource
        assertThat(prepared.baseline()).isEqualTo(new S3Location(FakeS3.BUCKET, "shares/exec-1/baseline.json"));
        AccessBaseline baseline = baseline(prepared);
        assertThat(baseline.launchPermission()).containsExactly("222222222222", ou);
        assertThat(baseline.keys()).containsOnlyKeys(KEY_A, KEY_B);
        assertThat(baseline.key(KEY_A)).containsExactly("222222222222", ou);
        assertThat(baseline.key(KEY_B)).isEmpty();
        assertThat(baseline.snapshots()).containsOnlyKeys("snap-11111111", "snap-22222222");
        assertThat(baseline.snapshot("snap-11111111")).containsExactly("222222222222");
        assertThat(baseline.snapshot("snap-22222222")).isEmpty();
        // AND Prepare only read
        assertThat(kms.puts).hasSize(writes);
        assertThat(ec2.imageModifications).isEmpty();
        assertThat(ec2.snapshotModifications).isEmpty();
    }

    @Test
    void prepare_shouldRecordAnEmptyBaseline_whenNothingWasSharedBefore() {
        // GIVEN
        image(ImageState.AVAILABLE, OWNER, "snap-11111111");
        snapshot("snap-11111111", KEY_A);

        // WHEN
        PreparedShare prepared = service.prepare(input(REQUEST));

        // THEN
        AccessBaseline baseline = baseline(prepared);
        assertThat(baseline.launchPermission()).isEmpty();
        assertThat(baseline.key(KEY_A)).isEmpty();
        assertThat(baseline.snapshot("snap-11111111")).isEmpty();
    }

    @Test
    void prepare_shouldResolveEveryKeyOnce_whenSnapshotsUseTwoCustomerManagedKeys() {
        // GIVEN three snapshots under two keys, one named by key id, one by ARN
        image(ImageState.AVAILABLE, OWNER, "snap-11111111", "snap-22222222", "snap-33333333");
        snapshot("snap-11111111", "1234abcd-12ab-34cd-56ef-1234567890ab");
        snapshot("snap-22222222", KEY_B);
        snapshot("snap-33333333", "1234abcd-12ab-34cd-56ef-1234567890ab");

        // WHEN
        PreparedShare prepared = service.prepare(input(REQUEST));

        // THEN
        assertThat(prepared.snapshots()).containsExactly(
                new SnapshotInfo("snap-11111111", true, KEY_A),
                new SnapshotInfo("snap-22222222", true, KEY_B),
                new SnapshotInfo("snap-33333333", true, KEY_A));
        assertThat(prepared.customerManagedKeyArns()).containsExactly(KEY_A, KEY_B);
        assertThat(prepared.encrypted()).isTrue();
        assertThat(kms.describedKeys).hasSize(2);
        assertThat(prepared.ownerAccountId()).isEqualTo(OWNER);
        assertThat(prepared.region()).isEqualTo("us-east-1");
        assertThat(prepared.imageName()).isEqualTo("golden-2026-11");
        assertThat(prepared.targets().accountCount()).isEqualTo(2);
        assertThat(prepared.copyingAccountCount()).isEqualTo(1);
        assertThat(prepared.executionId()).isEqualTo("exec-1");
    }

    @Test
    void prepare_shouldNormaliseTheRequest_whenOptionalFieldsAreAbsent() {
        // GIVEN
        image(ImageState.AVAILABLE, OWNER, "snap-11111111");
        snapshot("snap-11111111", KEY_A);

        // WHEN
        PreparedShare prepared = service.prepare(input(REQUEST));

        // THEN
        assertThat(prepared.request().sourceRegion()).isEqualTo("us-east-1");
        assertThat(prepared.request().consumerRoleName()).isEqualTo("AmiShareConsumer");
        assertThat(prepared.request().dryRun()).isFalse();
        assertThat(prepared.request().rollbackOnFailure()).isFalse();
    }

    @Test
    void prepare_shouldReportNoKeys_whenTheAmiIsNotEncrypted() {
        // GIVEN
        image(ImageState.AVAILABLE, OWNER, "snap-11111111");
        snapshot("snap-11111111", null);

        // WHEN
        PreparedShare prepared = service.prepare(input(REQUEST));

        // THEN
        assertThat(prepared.snapshots()).containsExactly(new SnapshotInfo("snap-11111111", false, null));
        assertThat(prepared.customerManagedKeyArns()).isEmpty();
        assertThat(prepared.encrypted()).isFalse();
        assertThat(kms.describedKeys).isEmpty();
    }

    @Test
    void prepare_shouldRaiseAwsManagedKey_whenASnapshotUsesAwsEbs() {
        // GIVEN one snapshot under the customer key, one under aws/ebs
        image(ImageState.AVAILABLE, OWNER, "snap-11111111", "snap-22222222");
        snapshot("snap-11111111", KEY_A);
        snapshot("snap-22222222", AWS_EBS);

        // WHEN / THEN
        assertThatThrownBy(() -> service.prepare(input(REQUEST)))
                .isInstanceOf(AwsManagedKeyException.class)
                .hasMessageContaining("snap-22222222")
                .hasMessageContaining("AWS refuses to share")
                .hasMessageContaining("Re-create the AMI under a customer-managed key");
    }

    @Test
    void prepare_shouldRaiseImageNotFound_whenEc2DoesNotKnowTheImage() {
        assertThatThrownBy(() -> service.prepare(input(REQUEST)))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining(IMAGE);
    }

    @Test
    void prepare_shouldRaiseImageNotOwned_whenAnotherAccountOwnsTheImage() {
        // GIVEN a public or shared AMI of account 999
        image(ImageState.AVAILABLE, "999999999999");

        // WHEN / THEN
        assertThatThrownBy(() -> service.prepare(input(REQUEST)))
                .isInstanceOf(ImageNotOwnedException.class)
                .hasMessageContaining("999999999999");
    }

    @Test
    void prepare_shouldRaiseImageNotAvailable_whenTheImageIsPending() {
        image(ImageState.PENDING, OWNER);
        assertThatThrownBy(() -> service.prepare(input(REQUEST)))
                .isInstanceOf(ImageNotAvailableException.class)
                .hasMessageContaining("'pending'");
    }

    @Test
    void prepare_shouldFailWithoutAnyAwsCall_whenTheRequestIsMalformed() {
        // GIVEN an unknown nested field and a malformed account
        String bad = "{\"imageId\":\"ami-0123456789abcdef0\",\"targets\":[{\"accountId\":\"22\",\"region\":\"x\"}]}";

        // WHEN / THEN both problems, and neither STS nor EC2 was called
        assertThatThrownBy(() -> service.prepare(input(bad)))
                .isInstanceOfSatisfying(InvalidShareRequestException.class,
                        e -> assertThat(e.problems()).hasSize(2));
        assertThat(sts.identityCalls).isZero();
        assertThat(ec2.calls).isZero();
    }

    @Test
    void prepare_shouldRefuseBeforeReadingTheImage_whenTheOwnerIsATarget() {
        // GIVEN
        String self = "{\"imageId\":\"ami-0123456789abcdef0\",\"targets\":[{\"accountId\":\"111111111111\"}]}";

        // WHEN / THEN
        assertThatThrownBy(() -> service.prepare(input(self)))
                .isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("111111111111 is the owner account");
        assertThat(ec2.calls).isZero();
    }

    @Test
    void prepare_shouldRaiseRetryableError_whenEc2Throttles() {
        ec2.failWithCode = "RequestLimitExceeded";
        assertThatThrownBy(() -> service.prepare(input(REQUEST))).isInstanceOf(AwsThrottledException.class);
    }

    @Test
    void prepare_shouldRefuseEveryPrincipalOutsideThePerimeterBeforeReadingTheImage_whenTheRequestNamesThem() {
        // GIVEN a request for an account and an organization outside the perimeter, beside a good target
        image(ImageState.AVAILABLE, OWNER, "snap-11111111");
        String request = """
                {"imageId":"ami-0123456789abcdef0","targets":[{"accountId":"222222222222"},{"accountId":"999999999999"}],
                 "organizationArns":["arn:aws:organizations::999999999999:organization/o-zzzzzzzzzz"]}""";

        // WHEN / THEN one named error lists both, and EC2 and KMS were never asked
        assertThatThrownBy(() -> service.prepare(input(request)))
                .isInstanceOfSatisfying(OutsidePerimeterException.class, e -> assertThat(e.refused())
                        .hasSize(2)
                        .anySatisfy(r -> assertThat(r).startsWith("999999999999 ("))
                        .anySatisfy(r -> assertThat(r).startsWith("arn:aws:organizations::999999999999:organization/")));
        assertThat(ec2.calls).isZero();
        assertThat(kms.reads).isZero();
    }

    @Test
    void prepare_shouldWriteTheTargetsToS3AndReturnOnlyTheirCount_whenTheRequestNamesAccounts() {
        // GIVEN
        image(ImageState.AVAILABLE, OWNER, "snap-11111111");
        snapshot("snap-11111111", KEY_A);

        // WHEN
        PreparedShare prepared = service.prepare(input(REQUEST));

        // THEN the target list and the baseline are in the share bucket under the execution
        assertThat(s3.writtenKeys()).containsExactly("shares/exec-1/targets.json", "shares/exec-1/baseline.json");
        assertThat(s3.puts).allSatisfy(p -> assertThat(p.bucket()).isEqualTo(FakeS3.BUCKET));
        assertThat(s3.read("shares/exec-1/targets.json", TARGETS)).containsExactly(
                new ShareRequest.Target("222222222222", List.of(new ShareRequest.Copy("eu-west-1", "alias/golden-ami"))),
                new ShareRequest.Target("333333333333", List.of()));
        assertThat(prepared.targets().accounts())
                .isEqualTo(new S3Location(FakeS3.BUCKET, "shares/exec-1/targets.json"));
        assertThat(prepared.targets().accountCount()).isEqualTo(2);
        // AND the result carries no account list: the request goes on without its targets
        assertThat(prepared.request().targets()).isEmpty();
        assertThat(Json.write(prepared)).doesNotContain("222222222222", "333333333333");
    }

    @Test
    void prepare_shouldAddEveryAccountOfACopyOu_whenTheRequestCopiesIntoAnOu() {
        // GIVEN an OU of three accounts, one the owner and one also named with its own copy region
        String ou = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-ab12-cdef3456";
        ouAccounts.put(ou, List.of("111111111111", "222222222222", "444444444444"));
        image(ImageState.AVAILABLE, OWNER, "snap-11111111");
        snapshot("snap-11111111", KEY_A);
        String request = """
                {"imageId":"ami-0123456789abcdef0","targets":[
                  {"accountId":"222222222222","copy":[{"region":"eu-west-1","kmsKeyId":"alias/own"}]}],
                 "copyToOrganizationalUnits":[{"organizationalUnitArn":"%s",
                   "copy":[{"region":"eu-west-1","kmsKeyId":"alias/golden"},{"region":"us-east-1","kmsKeyId":"alias/golden"}]}]}"""
                .formatted(ou);

        // WHEN
        PreparedShare prepared = service.prepare(input(request));

        // THEN the owner is left out, 222 keeps its own eu-west-1 key and gains us-east-1, 444 copies both
        assertThat(listedOus).containsExactly(ou);
        assertThat(s3.read("shares/exec-1/targets.json", TARGETS)).containsExactly(
                new ShareRequest.Target("222222222222", List.of(new ShareRequest.Copy("eu-west-1", "alias/own"),
                        new ShareRequest.Copy("us-east-1", "alias/golden"))),
                new ShareRequest.Target("444444444444", List.of(new ShareRequest.Copy("eu-west-1", "alias/golden"),
                        new ShareRequest.Copy("us-east-1", "alias/golden"))));
        assertThat(prepared.targets().accountCount()).isEqualTo(2);
        assertThat(prepared.copyingAccountCount()).isEqualTo(2);
    }

    @Test
    void prepare_shouldRefuseBeforeListingTheOu_whenACopyOuIsOutsideThePerimeter() {
        // GIVEN an OU of another organization
        String ou = "arn:aws:organizations::999999999999:ou/o-zzzzzzzzzz/ou-zz99-zzzzzzzz";
        String request = """
                {"imageId":"ami-0123456789abcdef0","copyToOrganizationalUnits":[{"organizationalUnitArn":"%s",
                   "copy":[{"region":"eu-west-1","kmsKeyId":"alias/golden"}]}]}""".formatted(ou);

        // WHEN / THEN
        assertThatThrownBy(() -> service.prepare(input(request))).isInstanceOf(OutsidePerimeterException.class)
                .hasMessageContaining(ou);
        assertThat(listedOus).isEmpty();
        assertThat(ec2.calls).isZero();
        assertThat(s3.puts).isEmpty();
    }
}

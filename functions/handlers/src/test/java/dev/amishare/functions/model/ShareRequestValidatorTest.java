package dev.amishare.functions.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.InvalidShareRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShareRequestValidatorTest {

    @Test
    void read_shouldFillDefaults_whenOptionalFieldsAreAbsent() {
        // WHEN
        ShareRequest request = ShareRequestValidator.read(
                "{\"imageId\":\"ami-12345678\",\"targets\":[{\"accountId\":\"222222222222\"}]}");

        // THEN
        assertThat(request.consumerRoleName()).isEqualTo("AmiShareConsumer");
        assertThat(request.dryRun()).isFalse();
        assertThat(request.rollbackOnFailure()).isFalse();
        assertThat(request.organizationArns()).isEmpty();
        assertThat(request.targets().get(0).copy()).isEmpty();
        assertThat(request.sourceRegion()).isNull();
        assertThat(request.toleratedFailurePercentage()).isZero();
        assertThat(request.copyToOrganizationalUnits()).isEmpty();
    }

    @Test
    void read_shouldAcceptOuCopies_whenTheyAreTheOnlyTargets() {
        // WHEN a request names only an OU to copy into
        ShareRequest request = ShareRequestValidator.read("""
                {"imageId":"ami-12345678","toleratedFailurePercentage":5,"copyToOrganizationalUnits":[
                  {"organizationalUnitArn":"arn:aws:organizations::111111111111:ou/o-amishare01/ou-ab12-targets1",
                   "copy":[{"region":"eu-west-1","kmsKeyId":"alias/golden"}]}]}""");

        // THEN the OU and its copy are kept, and the tolerance
        assertThat(request.copyToOrganizationalUnits()).singleElement().satisfies(ou -> {
            assertThat(ou.organizationalUnitArn()).endsWith("ou-ab12-targets1");
            assertThat(ou.copy()).containsExactly(new ShareRequest.Copy("eu-west-1", "alias/golden"));
        });
        assertThat(request.toleratedFailurePercentage()).isEqualTo(5);
    }

    @Test
    void read_shouldListEveryProblem_whenToleranceAndOuCopiesAreWrong() {
        // GIVEN a tolerance above 100, an OU copy without regions and one with a bad OU ARN, repeated
        String json = """
                {"imageId":"ami-12345678","toleratedFailurePercentage":101,"copyToOrganizationalUnits":[
                  {"organizationalUnitArn":"arn:aws:organizations::111111111111:ou/o-amishare01/ou-ab12-targets1",
                   "copy":[]},
                  {"organizationalUnitArn":"ou-1","copy":[{"region":"eu-west-1","kmsKeyId":"alias/k"}]},
                  {"organizationalUnitArn":"arn:aws:organizations::111111111111:ou/o-amishare01/ou-ab12-targets1",
                   "copy":[{"region":"eu-west-1","kmsKeyId":"alias/k"}]}]}""";

        // WHEN / THEN every problem is named at once
        assertThatThrownBy(() -> ShareRequestValidator.read(json))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems())
                        .containsExactlyInAnyOrder(
                                "toleratedFailurePercentage: expected a whole number from 0 to 100",
                                "copyToOrganizationalUnits[0].copy: at least one copy region is required",
                                "copyToOrganizationalUnits[1].organizationalUnitArn: 'ou-1' is not an OU ARN"
                                        + " (arn:aws:organizations::<account>:ou/o-…/ou-…)",
                                "copyToOrganizationalUnits[2].organizationalUnitArn: duplicate OU"
                                        + " arn:aws:organizations::111111111111:ou/o-amishare01/ou-ab12-targets1"));
    }

    @Test
    void read_shouldListEveryProblem_whenManyFieldsAreWrongAtEveryLevel() {
        // GIVEN a bad image id, an unknown top-level field, a short account, a duplicate account,
        // an unknown nested field, a bad region, a bad key and a duplicate copy region
        String json = """
                {"imageId":"ami-XYZ","acountIds":[],
                 "targets":[{"accountId":"2222"},
                            {"accountId":"333333333333","copy":[{"region":"us-east-1","kmsKeyId":"alias/a","encrypted":true},
                                                               {"region":"us-east-1","kmsKeyId":"bad key"}]},
                            {"accountId":"333333333333","copy":[{"region":"Europe","kmsKeyId":"alias/a"}]}]}
                """;

        // WHEN / THEN one error lists all of them
        assertThatThrownBy(() -> ShareRequestValidator.read(json))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems())
                        .containsExactlyInAnyOrder(
                                "acountIds: unknown field (known: imageId, sourceRegion, targets, organizationArns,"
                                        + " organizationalUnitArns, copyToOrganizationalUnits, consumerRoleName,"
                                        + " dryRun, rollbackOnFailure, toleratedFailurePercentage, requestedBy)",
                                "imageId: 'ami-XYZ' is not an AMI id ('ami-' and 8 or 17 lower-case hex digits)",
                                "targets[0].accountId: '2222' is not a 12-digit AWS account id",
                                "targets[1].copy[0].encrypted: unknown field (known: region, kmsKeyId)",
                                "targets[1].copy[1].region: duplicate copy region us-east-1 for this target",
                                "targets[1].copy[1].kmsKeyId: 'bad key' is not a KMS key id, key ARN, alias/name or"
                                        + " alias ARN",
                                "targets[2].accountId: duplicate account 333333333333",
                                "targets[2].copy[0].region: 'Europe' is not an AWS region name"));
    }

    @Test
    void read_shouldRefuse_whenThereIsNoTargetAtAll() {
        assertThatThrownBy(() -> ShareRequestValidator.read("{\"imageId\":\"ami-12345678\"}"))
                .isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("at least one target is required");
    }

    @Test
    void read_shouldRefuseWithTypeProblems_whenTypesAreWrong() {
        // GIVEN targets as an object and dryRun as a string
        String json = "{\"imageId\":\"ami-12345678\",\"targets\":{\"accountId\":\"222222222222\"},\"dryRun\":\"no\"}";

        // WHEN / THEN
        assertThatThrownBy(() -> ShareRequestValidator.read(json))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems())
                        .contains("targets: wrong type, expected an array", "dryRun: wrong type, expected true or false"));
    }

    @Test
    void read_shouldRefuse_whenInputIsNotJson() {
        assertThatThrownBy(() -> ShareRequestValidator.read("{nope"))
                .isInstanceOf(InvalidShareRequestException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void ownerProblems_shouldNameTheTarget_whenTheOwnerIsATarget() {
        // GIVEN
        ShareRequest request = ShareRequestValidator.read("{\"imageId\":\"ami-12345678\",\"sourceRegion\":\"eu-west-1\","
                + "\"targets\":[{\"accountId\":\"222222222222\"},{\"accountId\":\"111111111111\"}]}");

        // WHEN
        List<String> problems = ShareRequestValidator.ownerProblems(request, "111111111111", "us-east-1");

        // THEN
        assertThat(problems).containsExactly(
                "targets[1].accountId: 111111111111 is the owner account, not a target",
                "sourceRegion: 'eu-west-1' differs from the region the share runs in (us-east-1)");
    }

    @Test
    void copyingAccountIds_shouldListOnlyTargetsThatCopy_whenSomeOnlyLaunch() {
        // GIVEN
        ShareRequest request = ShareRequestValidator.read("{\"imageId\":\"ami-12345678\",\"targets\":["
                + "{\"accountId\":\"222222222222\"},"
                + "{\"accountId\":\"333333333333\",\"copy\":[{\"region\":\"us-east-1\",\"kmsKeyId\":\"alias/k\"}]}]}");

        // WHEN / THEN
        assertThat(request.accountIds()).containsExactly("222222222222", "333333333333");
        assertThat(request.copyingAccountIds()).containsExactly("333333333333");
    }
}

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
                                        + " organizationalUnitArns, consumerRoleName, dryRun,"
                                        + " rollbackOnFailure, requestedBy)",
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

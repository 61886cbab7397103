package dev.amishare.functions.entry;

import dev.amishare.contract.Names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.UnsupportedEntryEventException;
import dev.amishare.functions.common.Json;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.ShareRequestValidator;
import dev.amishare.functions.testing.FakeSsm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The sample events in events/entry, exactly as AWS sends them, turned into share requests. */
class EntryNormalizerTest {

    static final Path ENTRY = Path.of("../../events/entry");

    static <T> T sample(String file, Class<T> type) throws IOException {
        return Json.read(Files.readString(ENTRY.resolve(file)), type);
    }

    @Test
    void shareRequest_shouldListTheTaggedAccountsOnce_whenTheTargetsTagChanged() throws IOException {
        // GIVEN the documented tag-change event for an AMI whose amishare:targets tag changed
        TagChangeEvent event = sample("tag-change-image-targets.json", TagChangeEvent.class);

        // WHEN
        Optional<ShareRequest> request = EntryNormalizer.shareRequest(event);

        // THEN the request names the AMI, its region and each account once, in tag order
        assertThat(request).contains(new ShareRequest("ami-0abcdef1234567890", "us-east-1", List.of(
                new ShareRequest.Target("222222222222", null), new ShareRequest.Target("333333333333", null)),
                null, null, null, null, null, null, null, "tag change of arn:aws:ec2:us-east-1::image/ami-0abcdef1234567890 "
                        + "(event bddcf1d6-0251-35a1-aab0-adc1fb47c11c)"));
        assertThat(ShareRequestValidator.problems(Json.MAPPER.valueToTree(request.orElseThrow()))).isEmpty();
    }

    @Test
    void shareRequest_shouldShareWithTheOuByItsArn_whenTheTagNamesAnOuBesideAnAccount() throws IOException {
        // GIVEN the tag names an OU of the perimeter's organization and an account
        TagChangeEvent event = sample("tag-change-image-ou.json", TagChangeEvent.class);
        TagTargets targets = new TagTargets(null, "o-amishare01", "111111111111");

        // WHEN
        ShareRequest request = EntryNormalizer.shareRequest(event, targets).orElseThrow();

        // THEN a valid request: launch access for the OU (by ARN) and the account
        assertThat(request.accountIds()).containsExactly("333333333333");
        assertThat(request.organizationalUnitArns())
                .containsExactly("arn:aws:organizations::111111111111:ou/o-amishare01/ou-ab12-targets1");
        assertThat(request.organizationArns()).isEmpty();
        assertThat(ShareRequestValidator.problems(Json.MAPPER.valueToTree(request))).isEmpty();
    }

    @Test
    void shareRequest_shouldShareWithTheGroupsTargets_whenTheTagNamesATargetGroup() throws IOException {
        // GIVEN the owner keeps the group "partners" in Parameter Store: 40 accounts and the organization
        TagChangeEvent event = sample("tag-change-image-group.json", TagChangeEvent.class);
        FakeSsm ssm = new FakeSsm();
        List<String> partners = java.util.stream.IntStream.range(0, 40)
                .mapToObj(i -> String.valueOf(700000000000L + i)).toList();
        ssm.parameters.put(Names.TARGET_GROUP_PREFIX + "/partners", String.join(",", partners) + ",o-amishare01");

        // WHEN
        ShareRequest request = EntryNormalizer.shareRequest(event,
                new TagTargets(() -> ssm, "o-amishare01", "111111111111")).orElseThrow();

        // THEN more accounts than a tag value could hold, the organization by ARN, and a valid request
        assertThat(request.accountIds()).hasSize(41).startsWith("700000000000").endsWith("222222222222");
        assertThat(request.organizationArns())
                .containsExactly("arn:aws:organizations::111111111111:organization/o-amishare01");
        assertThat(ShareRequestValidator.problems(Json.MAPPER.valueToTree(request))).isEmpty();
    }

    @Test
    void shareRequest_shouldBeEmpty_whenTheTagNamesOnlyAnEmptyGroup() throws IOException {
        // GIVEN
        TagChangeEvent sample = sample("tag-change-image-group.json", TagChangeEvent.class);
        TagChangeEvent onlyGroup = new TagChangeEvent(sample.id(), sample.detailType(), sample.source(),
                sample.account(), sample.region(), sample.resources(), new TagChangeEvent.Detail(
                        List.of(Names.TAG_TARGETS), "ec2", "image", Map.of(Names.TAG_TARGETS, "group:nobody")));
        FakeSsm ssm = new FakeSsm();
        ssm.parameters.put(Names.TARGET_GROUP_PREFIX + "/nobody", " ");

        // WHEN / THEN
        assertThat(EntryNormalizer.shareRequest(onlyGroup, new TagTargets(() -> ssm, null, null))).isEmpty();
    }

    @Test
    void executionName_shouldBeStableAndShort_whenTheSameEventIsRedelivered() throws IOException {
        // GIVEN the same event twice
        TagChangeEvent event = sample("tag-change-image-targets.json", TagChangeEvent.class);

        // WHEN
        String first = EntryNormalizer.executionName(event);
        String second = EntryNormalizer.executionName(sample("tag-change-image-targets.json", TagChangeEvent.class));

        // THEN
        assertThat(first).isEqualTo(second)
                .isEqualTo("tag-ami-0abcdef1234567890-bddcf1d6-0251-35a1-aab0-adc1fb47c11c")
                .hasSizeLessThanOrEqualTo(80);
    }

    @Test
    void shareRequest_shouldBeEmpty_whenTheTargetsTagWasRemoved() throws IOException {
        // GIVEN the tag is gone after the change
        TagChangeEvent sample = sample("tag-change-image-targets.json", TagChangeEvent.class);
        TagChangeEvent removed = new TagChangeEvent(sample.id(), sample.detailType(), sample.source(),
                sample.account(), sample.region(), sample.resources(), new TagChangeEvent.Detail(
                        List.of(Names.TAG_TARGETS), "ec2", "image", Map.of("Name", "golden")));

        // WHEN / THEN
        assertThat(EntryNormalizer.shareRequest(removed)).isEmpty();
    }

    @Test
    void shareRequest_shouldRefuse_whenNoImageArnIsGiven() throws IOException {
        // GIVEN the instance near-miss (which the rule does not match anyway)
        TagChangeEvent event = sample("tag-change-instance-near-miss.json", TagChangeEvent.class);

        // WHEN / THEN
        assertThatThrownBy(() -> EntryNormalizer.shareRequest(event))
                .isInstanceOf(UnsupportedEntryEventException.class)
                .hasMessageContaining("no image ARN");
    }

    @Test
    void newAccountId_shouldReadTheControlTowerAccount_whenCreateManagedAccountSucceeded() throws IOException {
        // GIVEN / WHEN
        Optional<String> id = EntryNormalizer.newAccountId(
                sample("controltower-create-managed-account.json", AccountCreatedEvent.class));

        // THEN
        assertThat(id).contains("444444444444");
    }

    @Test
    void newAccountId_shouldReadTheOrganizationsAccount_whenCreateAccountResultSucceeded() throws IOException {
        // GIVEN / WHEN
        Optional<String> id = EntryNormalizer.newAccountId(
                sample("organizations-create-account-result.json", AccountCreatedEvent.class));

        // THEN
        assertThat(id).contains("555555555555");
    }

    @Test
    void newAccountId_shouldBeEmpty_whenTheCreationFailed() throws IOException {
        assertThat(EntryNormalizer.newAccountId(sample("controltower-create-managed-account-failed-near-miss.json",
                AccountCreatedEvent.class))).isEmpty();
        assertThat(EntryNormalizer.newAccountId(sample("organizations-create-account-result-failed-near-miss.json",
                AccountCreatedEvent.class))).isEmpty();
    }

    @Test
    void newAccountRequest_shouldGrantLaunchOnly_whenBuiltForANewAccount() {
        // WHEN
        ShareRequest request = EntryNormalizer.newAccountRequest("ami-0abcdef1234567890", "444444444444");

        // THEN
        assertThat(Json.write(request)).isEqualTo("""
                {"imageId":"ami-0abcdef1234567890","targets":[{"accountId":"444444444444","copy":[]}],\
                "organizationArns":[],"organizationalUnitArns":[],"copyToOrganizationalUnits":[],\
                "consumerRoleName":"AmiShareConsumer","dryRun":false,"rollbackOnFailure":false,\
                "toleratedFailurePercentage":0,"requestedBy":"account vending: new account 444444444444"}""");
        assertThat(EntryNormalizer.executionName("444444444444", "ami-0abcdef1234567890"))
                .isEqualTo("new-account-444444444444-ami-0abcdef1234567890");
    }

    @Test
    void cliInput_shouldReadAsTheExpectedShareRequest_whenGivenToStartExecution() throws IOException {
        // GIVEN the file the README passes to `aws stepfunctions start-execution --input file://...`
        String input = Files.readString(Path.of("../../events/requests/valid-full.json"));

        // WHEN the workflow's prepare stage reads it
        ShareRequest request = ShareRequestValidator.read(input);

        // THEN
        assertThat(request.imageId()).isEqualTo("ami-0123456789abcdef0");
        assertThat(request.accountIds()).containsExactly("222222222222", "333333333333");
        assertThat(request.copyingAccountIds()).containsExactly("222222222222");
        assertThat(request.targets().get(0).copy()).containsExactly(
                new ShareRequest.Copy("us-east-1",
                        "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                new ShareRequest.Copy("eu-west-1", "alias/golden-ami"));
    }

    @Test
    void name_shouldReplaceUnsafeCharactersAndCut_whenTooLong() {
        assertThat(EntryNormalizer.name("a b:" + "x".repeat(100))).hasSize(80).startsWith("a_b_x");
    }
}

package dev.amishare.functions.entry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.contract.Names;
import dev.amishare.errors.AwsThrottledException;
import dev.amishare.errors.TargetGroupNotFoundException;
import dev.amishare.errors.UnresolvableTargetException;
import dev.amishare.functions.testing.FakeSsm;
import dev.amishare.functions.testing.Stubs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;

class TagTargetsTest {

    private static final String ORG = "o-amishare01";
    private static final String MANAGEMENT = "111111111111";
    private static final String ORG_ARN = "arn:aws:organizations::111111111111:organization/o-amishare01";

    private final FakeSsm ssm = new FakeSsm();
    /** Every parameter read, by name. */
    private final List<String> reads = new ArrayList<>();
    private final AtomicInteger clientsBuilt = new AtomicInteger();

    private final SsmClient countingSsm = new SsmClient() {
        @Override
        public GetParameterResponse getParameter(GetParameterRequest request) {
            reads.add(request.name());
            return ssm.getParameter(request);
        }

        @Override
        public String serviceName() {
            return "ssm";
        }

        @Override
        public void close() {
        }
    };

    private final TagTargets targets = new TagTargets(() -> {
        clientsBuilt.incrementAndGet();
        return countingSsm;
    }, ORG, MANAGEMENT);

    private static String ouArn(String ou) {
        return "arn:aws:organizations::111111111111:ou/o-amishare01/" + ou;
    }

    private void group(String name, String value) {
        ssm.parameters.put(Names.TARGET_GROUP_PREFIX + "/" + name, value);
    }

    private static List<String> accounts(long first, int count) {
        return IntStream.range(0, count).mapToObj(i -> String.valueOf(first + i)).toList();
    }

    @Test
    void resolve_shouldSortAccountsOrganizationAndOus_whenTheTagMixesThem() {
        // WHEN
        TagTargets.Resolved resolved = targets.resolve(
                "222222222222, o-amishare01 ,ou-ab12-targets1,222222222222,, 333333333333", "aws");

        // THEN each once, in tag order, organization and OU by ARN; no group, so no SSM client either
        assertThat(resolved).isEqualTo(new TagTargets.Resolved(List.of("222222222222", "333333333333"),
                List.of(ORG_ARN), List.of(ouArn("ou-ab12-targets1"))));
        assertThat(clientsBuilt).hasValue(0);
    }

    @Test
    void resolve_shouldPutTheGroupsMembersWhereTheGroupIs_whenTheTagNamesAGroup() {
        // GIVEN a StringList of accounts and an OU
        group("partners", "333333333333,444444444444,ou-ab12-others01");

        // WHEN
        TagTargets.Resolved resolved = targets.resolve("222222222222,group:partners,555555555555", "aws");

        // THEN
        assertThat(resolved.accountIds()).containsExactly("222222222222", "333333333333", "444444444444",
                "555555555555");
        assertThat(resolved.organizationalUnitArns()).containsExactly(ouArn("ou-ab12-others01"));
        assertThat(reads).containsExactly("/amishare/target-groups/partners");
    }

    @Test
    void resolve_shouldNameAThousandAccounts_whenAGroupOfGroupsListsThem() {
        // GIVEN two halves of 500 (6.5 KB each: an advanced parameter) and a group naming both
        group("half-1", String.join(",", accounts(500000000000L, 500)));
        group("half-2", accounts(600000000000L, 500).stream().collect(Collectors.joining("\n")));
        group("everyone", "group:half-1, group:half-2");

        // WHEN
        TagTargets.Resolved resolved = targets.resolve("group:everyone", "aws");

        // THEN one read per group; newline-separated values count as well as commas
        assertThat(resolved.accountIds()).hasSize(1000).startsWith("500000000000").endsWith("600000000499");
        assertThat(reads).hasSize(3);
        assertThat(clientsBuilt).hasValue(1);
    }

    @Test
    void resolve_shouldReadEachGroupOnce_whenGroupsNameEachOther() {
        // GIVEN a cycle
        group("a", "222222222222,group:b");
        group("b", "333333333333,group:a,222222222222");

        // WHEN
        TagTargets.Resolved resolved = targets.resolve("group:a,group:b", "aws");

        // THEN
        assertThat(resolved.accountIds()).containsExactly("222222222222", "333333333333");
        assertThat(reads).containsExactly("/amishare/target-groups/a", "/amishare/target-groups/b");
    }

    @Test
    void resolve_shouldThrowTargetGroupNotFound_whenTheGroupIsNotDefined() {
        // WHEN / THEN
        assertThatThrownBy(() -> targets.resolve("222222222222,group:partnres", "aws"))
                .isInstanceOfSatisfying(TargetGroupNotFoundException.class, e -> {
                    assertThat(e.group()).isEqualTo("partnres");
                    assertThat(e.isRetryable()).isFalse();
                })
                .hasMessageContaining("/amishare/target-groups/partnres");
    }

    @Test
    void resolve_shouldRefuseAndReadNothing_whenTheGroupNameLeavesTheGroupPath() {
        // WHEN / THEN
        assertThatThrownBy(() -> targets.resolve("group:../copy-tokens/x", "aws"))
                .isInstanceOf(UnresolvableTargetException.class).hasMessageContaining("group name");
        assertThat(reads).isEmpty();
    }

    @Test
    void resolve_shouldRefuse_whenGroupsNameMoreGroupsThanOneTagMayRead() {
        // GIVEN a chain g0 → g1 → … → g21
        for (int i = 0; i <= TagTargets.MAX_GROUPS + 1; i++) {
            group("g" + i, "222222222222,group:g" + (i + 1));
        }

        // WHEN / THEN
        assertThatThrownBy(() -> targets.resolve("group:g0", "aws")).isInstanceOf(UnresolvableTargetException.class)
                .hasMessageContaining("more than " + TagTargets.MAX_GROUPS);
        assertThat(reads).hasSize(TagTargets.MAX_GROUPS);
    }

    @Test
    void resolve_shouldRefuseAnOu_whenThePerimeterNamesNoOrganization() {
        // GIVEN a perimeter of named accounts only
        TagTargets accountsPerimeter = new TagTargets(() -> countingSsm, null, MANAGEMENT);

        // WHEN / THEN
        assertThatThrownBy(() -> accountsPerimeter.resolve("222222222222,ou-ab12-targets1", "aws"))
                .isInstanceOf(UnresolvableTargetException.class).hasMessageContaining("ou-ab12-targets1")
                .hasMessageContaining("perimeter names none");
    }

    @Test
    void resolve_shouldRefuseTheOrganization_whenTheManagementAccountIsNotConfigured() {
        // GIVEN
        TagTargets noManagement = new TagTargets(() -> countingSsm, ORG, "");

        // WHEN / THEN
        assertThatThrownBy(() -> noManagement.resolve("o-amishare01", "aws"))
                .isInstanceOf(UnresolvableTargetException.class).hasMessageContaining(Names.ENV_MANAGEMENT_ACCOUNT_ID);
        assertThatThrownBy(() -> TagTargets.accountsOnly().resolve("group:partners", "aws"))
                .isInstanceOf(UnresolvableTargetException.class);
    }

    @Test
    void resolve_shouldThrowRetryable_whenParameterStoreThrottles() {
        // GIVEN
        SsmClient throttling = new SsmClient() {
            @Override
            public GetParameterResponse getParameter(GetParameterRequest request) {
                throw Stubs.error("ThrottlingException");
            }

            @Override
            public String serviceName() {
                return "ssm";
            }

            @Override
            public void close() {
            }
        };

        // WHEN / THEN
        assertThatThrownBy(() -> new TagTargets(() -> throttling, ORG, MANAGEMENT).resolve("group:partners", "aws"))
                .isInstanceOfSatisfying(AwsThrottledException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessageContaining("ssm:GetParameter");
    }

    @Test
    void resolve_shouldWriteThePartitionIntoTheArns_whenTheImageIsInAnotherPartition() {
        assertThat(targets.resolve("o-amishare01", "aws-cn").organizationArns())
                .containsExactly("arn:aws-cn:organizations::111111111111:organization/o-amishare01");
    }
}

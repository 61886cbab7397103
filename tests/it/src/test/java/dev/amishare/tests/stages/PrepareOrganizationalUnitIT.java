package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.amishare.errors.OrganizationalUnitNotFoundException;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.prepare.PreparedShare;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.SharedAmi;
import dev.amishare.tests.Stages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Copies into every account of an OU: Prepare lists the OU's accounts through the emulator's
 * Organizations (ListChildren, ListAccountsForParent, at any depth) and writes each as a copying target.
 */
@ExtendWith(LocalStackExtension.class)
class PrepareOrganizationalUnitIT {

    /** In the emulator's membership file: 333333333333 in it, 666666666666 in an OU below it. */
    private static final String OTHERS = "arn:aws:organizations::111111111111:ou/o-amishare01/ou-ab12-others01";

    private final Aws aws;
    private final Stages stages;

    PrepareOrganizationalUnitIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    private static String request(String imageId, String ou, String explicitTargets) {
        return """
                {"request":{"imageId":"%s","targets":[%s],"copyToOrganizationalUnits":[{"organizationalUnitArn":\
                "%s","copy":[{"region":"us-east-1","kmsKeyId":"alias/golden"}]}]},"executionId":"it-prepare-ou"}"""
                .formatted(imageId, explicitTargets, ou);
    }

    @Test
    void prepare_shouldListEveryAccountOfTheOuAtAnyDepthAsCopyingTargets_whenAskedToCopyIntoAnOu() {
        // GIVEN an AMI and a request that names 222222222222 itself and copies into the "Others" OU
        SharedAmi ami = SharedAmi.create(aws);
        String own = "{\"accountId\":\"" + Accounts.CONSUMER + "\"}";

        // WHEN
        PreparedShare prepared = Handlers.invoke(stages.prepare, request(ami.imageId(), OTHERS, own),
                PreparedShare.class);

        // THEN the target list in S3 holds the named account as named (launch only) and both accounts under
        // the OU, which copy
        List<ShareRequest.Target> targets = stages.store.get(prepared.targets().accounts(), new TypeReference<>() {
        });
        assertThat(targets).extracting(ShareRequest.Target::accountId)
                .containsExactly(Accounts.CONSUMER, Accounts.THIRD, "666666666666");
        assertThat(targets.get(0).copy()).isEmpty();
        assertThat(targets.subList(1, 3)).allSatisfy(t -> assertThat(t.copy()).extracting(ShareRequest.Copy::region)
                .containsExactly("us-east-1"));
        assertThat(prepared.targets().accountCount()).isEqualTo(3);
        assertThat(prepared.copyingAccountCount()).isEqualTo(2);
        // and the state carries no account list: the request's targets are in S3 only
        assertThat(prepared.request().targets()).isEmpty();
    }

    @Test
    void prepare_shouldRefuseWithTheOuNamed_whenTheOuDoesNotExist() {
        // GIVEN an OU of the perimeter's organization that the organization does not have
        SharedAmi ami = SharedAmi.create(aws);
        String missing = "arn:aws:organizations::111111111111:ou/o-amishare01/ou-ab12-missing1";

        // WHEN / THEN
        assertThatThrownBy(() -> Handlers.invoke(stages.prepare, request(ami.imageId(), missing, ""),
                PreparedShare.class))
                .isInstanceOf(OrganizationalUnitNotFoundException.class)
                .hasMessageContaining("ou-ab12-missing1");
    }
}

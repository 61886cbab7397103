package dev.amishare.tests.stages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.AwsManagedKeyException;
import dev.amishare.errors.ImageNotOwnedException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.prepare.PreparedShare;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.prepare.SnapshotInfo;
import dev.amishare.tests.Accounts;
import dev.amishare.tests.Aws;
import dev.amishare.tests.Handlers;
import dev.amishare.tests.Images;
import dev.amishare.tests.LocalStackExtension;
import dev.amishare.tests.Stages;
import dev.amishare.tests.SharedAmi;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.ec2.Ec2Client;

@ExtendWith(LocalStackExtension.class)
class PrepareHandlerIT {

    private final Aws aws;
    private final Stages stages;

    PrepareHandlerIT(Aws aws) {
        this.aws = aws;
        this.stages = new Stages(aws);
    }

    private static String request(String imageId) {
        return """
                {"request":{"imageId":"%s","targets":[{"accountId":"%s","copy":[{"region":"us-east-1",\
                "kmsKeyId":"alias/golden"}]}]},"executionId":"it-prepare"}""".formatted(imageId, Accounts.CONSUMER);
    }

    @Test
    void prepare_shouldCollectEverySnapshotAndKey_whenTwoVolumesUseTwoKeys() {
        // GIVEN an AMI whose two volumes are encrypted under two customer-managed keys
        SharedAmi ami = SharedAmi.create(aws);

        // WHEN
        PreparedShare prepared = Handlers.invoke(stages.prepare, request(ami.imageId()), PreparedShare.class);

        // THEN both snapshots are listed with their own key, and both keys are to be patched
        assertThat(prepared.ownerAccountId()).isEqualTo(Accounts.OWNER);
        assertThat(prepared.encrypted()).isTrue();
        assertThat(prepared.snapshots()).extracting(SnapshotInfo::kmsKeyArn)
                .containsExactlyInAnyOrderElementsOf(ami.ownerKeyArns());
        assertThat(prepared.customerManagedKeyArns()).containsExactlyInAnyOrderElementsOf(ami.ownerKeyArns());
        // and the target list is in the share bucket, the state carrying only where and how many
        assertThat(prepared.copyingAccountCount()).isEqualTo(1);
        assertThat(prepared.targets().accountCount()).isEqualTo(1);
        assertThat(prepared.request().targets()).isEmpty();
        assertThat(stages.store.targets(prepared.targets())).singleElement().satisfies(t -> {
            assertThat(t.accountId()).isEqualTo(Accounts.CONSUMER);
            assertThat(t.copy()).extracting(ShareRequest.Copy::region).containsExactly("us-east-1");
        });
        assertThat(prepared.baseline().key()).endsWith("/baseline.json");
        assertThat(stages.store.get(prepared.baseline(), AccessBaseline.class).launchPermission()).isEmpty();
    }

    @Test
    void prepare_shouldFindNothingToDoForKms_whenTheAmiIsUnencrypted() {
        String imageId = Images.plain(aws.ec2(Accounts.OWNER));

        PreparedShare prepared = Handlers.invoke(stages.prepare, request(imageId), PreparedShare.class);

        assertThat(prepared.encrypted()).isFalse();
        assertThat(prepared.customerManagedKeyArns()).isEmpty();
    }

    @Test
    void prepare_shouldRefuseWithAdvice_whenASnapshotUsesTheAwsManagedKey() {
        // GIVEN an AMI whose volume is encrypted with the account's default EBS key (aws/ebs)
        Ec2Client owner = aws.ec2(Accounts.OWNER);
        String imageId = Images.withVolumes(owner, List.of("alias/aws/ebs"));

        // WHEN / THEN it is refused before anything is changed
        assertThatThrownBy(() -> Handlers.invoke(stages.prepare, request(imageId), PreparedShare.class))
                .isInstanceOf(AwsManagedKeyException.class)
                .hasMessageContaining("customer-managed key");
        assertThat(owner.describeImageAttribute(r -> r.imageId(imageId).attribute("launchPermission"))
                .launchPermissions()).isEmpty();
    }

    @Test
    void prepare_shouldRefuse_whenTheAmiBelongsToAnotherAccount() {
        // GIVEN an AMI of the consumer account, shared with the owner
        Ec2Client consumer = aws.ec2(Accounts.CONSUMER);
        String imageId = Images.plain(consumer);
        consumer.modifyImageAttribute(r -> r.imageId(imageId).launchPermission(p -> p.add(a -> a.userId(Accounts.OWNER))));

        assertThatThrownBy(() -> Handlers.invoke(stages.prepare, """
                {"request":{"imageId":"%s","targets":[{"accountId":"%s"}]}}""".formatted(imageId, Accounts.THIRD),
                PreparedShare.class))
                .isInstanceOf(ImageNotOwnedException.class);
    }

    @Test
    void prepare_shouldListEveryProblem_whenTheRequestIsMalformed() {
        assertThatThrownBy(() -> Handlers.invoke(stages.prepare, """
                {"request":{"imageId":"ami-nothex","targets":[{"accountId":"12"},{"accountId":"12"}],"colour":"red"}}""",
                PreparedShare.class))
                .isInstanceOfSatisfying(InvalidShareRequestException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("imageId"))
                        .anySatisfy(p -> assertThat(p).contains("accountId"))
                        .anySatisfy(p -> assertThat(p).contains("colour")));
    }
}

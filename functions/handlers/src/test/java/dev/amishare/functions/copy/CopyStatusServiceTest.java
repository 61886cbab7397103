package dev.amishare.functions.copy;

import static org.assertj.core.api.Assertions.assertThat;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.functions.model.TargetRole;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amishare.errors.AwsNotYetVisibleException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.functions.testing.FakeSts;
import dev.amishare.functions.testing.FakeTargetClients;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

class CopyStatusServiceTest {

    private static final String COPY = "ami-00000000000000001";

    private final FakeSts sts = new FakeSts("111111111111");
    private final FakeTargetClients target = new FakeTargetClients();
    private final CopyStatusService service = new CopyStatusService(new ConsumerRoles(sts, null), target);

    private static CopyStatusInput input() {
        return new CopyStatusInput(new TargetRole("222222222222", null), "eu-west-1", COPY, "exec-1");
    }

    @Test
    void status_shouldReportPending_whenTheCopyIsStillRunning() {
        // GIVEN
        target.ec2("eu-west-1").images.put(COPY, Image.builder().imageId(COPY).state(ImageState.PENDING).build());

        // WHEN
        CopyStatusResult result = service.status(input());

        // THEN
        assertThat(result).isEqualTo(new CopyStatusResult("222222222222", "eu-west-1", COPY, "pending", null));
        assertThat(sts.assumed.get(0).roleArn()).isEqualTo("arn:aws:iam::222222222222:role/AmiShareConsumer");
    }

    @Test
    void status_shouldReportTheReason_whenTheCopyFailed() {
        // GIVEN
        target.ec2("eu-west-1").images.put(COPY, Image.builder().imageId(COPY).state(ImageState.FAILED)
                .stateReason(r -> r.code("Client.KmsKeyNotUsable").message("The KMS key is not usable")).build());

        // WHEN
        CopyStatusResult result = service.status(input());

        // THEN
        assertThat(result.state()).isEqualTo("failed");
        assertThat(result.stateReason()).isEqualTo("The KMS key is not usable");
    }

    @Test
    void status_shouldRaiseNotYetVisible_whenEc2DoesNotListTheNewCopyYet() {
        // GIVEN a copy EC2 does not list (yet): DescribeImages answers InvalidAMIID.NotFound

        // WHEN / THEN the read is retried by the workflow, not taken for a missing image
        assertThatThrownBy(() -> service.status(input()))
                .isInstanceOf(AwsNotYetVisibleException.class)
                .hasMessageContaining(COPY)
                .satisfies(e -> assertThat(((AwsNotYetVisibleException) e).isRetryable()).isTrue());
    }

    @Test
    void status_shouldRaiseImageNotFound_whenTheCopyIdIsMalformed() {
        // GIVEN
        target.ec2("eu-west-1").failWithCode = "InvalidAMIID.Malformed";

        // WHEN / THEN a malformed id is never going to appear
        assertThatThrownBy(() -> service.status(input()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining(COPY);
    }
}

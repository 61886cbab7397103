package dev.amishare.functions.copy;

import dev.amishare.errors.AwsNotYetVisibleException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.TargetClients;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;

/** Reads a copy's state in the target account, as its consumer role. Changes nothing. */
public record CopyStatusService(ConsumerRoles roles, TargetClients clients) {

    private static final Logger LOG = LogManager.getLogger(CopyStatusService.class);


    public CopyStatusResult status(CopyStatusInput input) {
        input.validate();
        AwsCredentialsProvider role = roles.assume(input.targetRole(), input.region());
        List<Image> images;
        try (Ec2Client ec2 = clients.ec2(role, input.region())) {
            images = ec2.describeImages(r -> r.imageIds(input.imageId())).images();
        } catch (AwsServiceException e) {
            // The copy is one amishare has just started: right after CopyImage, EC2 may not list it yet.
            RuntimeException mapped = AwsErrors.notYetVisible("ec2:DescribeImages", copy(input), e);
            if (mapped == e && AwsErrors.code(e).startsWith("InvalidAMIID.")) {
                throw new ImageNotFoundException(input.imageId(), input.region(), e);
            }
            throw mapped;
        }
        if (images.isEmpty()) {
            throw new AwsNotYetVisibleException("ec2:DescribeImages", copy(input), null);
        }
        Image image = images.get(0);
        String reason = image.stateReason() == null ? null : image.stateReason().message();
        LOG.info("copy {} in {} of {} is {}{}", image.imageId(), input.region(), input.accountId(),
                image.stateAsString(), reason == null ? "" : ": " + reason);
        return new CopyStatusResult(input.accountId(), input.region(), image.imageId(), image.stateAsString(), reason);
    }

    private static String copy(CopyStatusInput input) {
        return "copy " + input.imageId() + " in " + input.region() + " of " + input.accountId();
    }
}

package dev.amishare.functions.copy;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.errors.CopyImageRejectedException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.common.TargetClients;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Copies the shared AMI into a target account and region, re-encrypted under the target's key, acting
 * as the target's consumer role so that the target owns the copy. Never makes a second copy: the
 * ClientToken is derived from the copy's identity, and a copy an earlier run tagged is found and
 * returned even after EC2 has forgotten the token.
 */
public record CopyImageService(ConsumerRoles roles, TargetClients clients, PerimeterGuard perimeter) {

    private static final Logger LOG = LogManager.getLogger(CopyImageService.class);
    // EC2 limits AMI names to 128 characters.
    private static final int MAX_NAME = 128;


    public CopyImageResult copy(CopyImageInput input) {
        input.validate();
        perimeter.checkAccounts(java.util.List.of(input.accountId()));
        String token = clientToken(input.sourceImageId(), input.accountId(), input.region(), input.kmsKeyId());
        if (input.dryRun()) {
            LOG.info("would copy {} into {} in {} under {}", input.sourceImageId(), input.accountId(), input.region(),
                    input.kmsKeyId());
            return new CopyImageResult(input.accountId(), input.region(), input.kmsKeyId(), null, "dryRun");
        }
        AwsCredentialsProvider role = roles.assume(input.targetRole(), input.sourceRegion());
        try (Ec2Client ec2 = clients.ec2(role, input.region())) {
            List<Image> earlier = earlierCopies(ec2, token);
            Image existing = earlier.stream().filter(i -> i.state() != ImageState.FAILED).findFirst().orElse(null);
            if (existing != null) {
                LOG.info("copy {} of {} already exists in {} ({})", existing.imageId(), input.sourceImageId(),
                        input.region(), existing.stateAsString());
                return new CopyImageResult(input.accountId(), input.region(), input.kmsKeyId(), existing.imageId(),
                        existing.stateAsString());
            }
            // A failed copy keeps its image (and its client token) in EC2: a replay reusing the token would get
            // that failed image back, so each attempt after a failure gets a token of its own.
            String clientToken = earlier.isEmpty() ? token : attemptToken(token, earlier.size());
            for (Image failed : earlier) {
                LOG.info("earlier copy {} of {} in {} failed ({}); starting a new copy", failed.imageId(),
                        input.sourceImageId(), input.region(),
                        failed.stateReason() == null ? "no reason given" : failed.stateReason().message());
            }
            String imageId = start(ec2, input, token, clientToken);
            LOG.info("started copy {} of {} in {} under {}", imageId, input.sourceImageId(), input.region(),
                    input.kmsKeyId());
            return new CopyImageResult(input.accountId(), input.region(), input.kmsKeyId(), imageId, "pending");
        }
    }

    /** SHA-256 hex of the copy's identity: 64 characters, the most CopyImage accepts. */
    static String clientToken(String sourceImageId, String accountId, String region, String kmsKeyId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                    String.join("|", sourceImageId, accountId, region, kmsKeyId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The client token of the attempt after {@code failedAttempts} failed copies: 64 hex characters too. */
    static String attemptToken(String token, int failedAttempts) {
        return clientToken(token, "attempt", Integer.toString(failedAttempts + 1), "");
    }

    /** Every copy made for this identity (tagged with its token), failed ones included. */
    private static List<Image> earlierCopies(Ec2Client ec2, String token) {
        try {
            return ec2.describeImages(r -> r.owners("self")
                    .filters(Filter.builder().name("tag:" + Names.TAG_COPY_TOKEN).values(token).build())).images();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ec2:DescribeImages", e);
        }
    }

    private static String start(Ec2Client ec2, CopyImageInput input, String token, String clientToken) {
        String name = input.imageName() == null ? input.sourceImageId() : input.imageName();
        try {
            return ec2.copyImage(r -> r.sourceImageId(input.sourceImageId()).sourceRegion(input.sourceRegion())
                    .name(name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name)
                    .description("Copy of " + input.sourceImageId() + " shared by " + input.ownerAccountId()
                            + " (amishare)")
                    .encrypted(true).kmsKeyId(input.kmsKeyId()).clientToken(clientToken)
                    // Not the source's tags: they are the owner's opt-in tags, and the consumer role may create
                    // amishare's tag keys only.
                    .copyImageTags(false)
                    .tagSpecifications(t -> t.resourceType(ResourceType.IMAGE).tags(
                            Tag.builder().key(Names.TAG_SOURCE_IMAGE).value(input.sourceImageId()).build(),
                            Tag.builder().key(Names.TAG_SOURCE_ACCOUNT).value(input.ownerAccountId()).build(),
                            Tag.builder().key(Names.TAG_COPY_TOKEN).value(token).build()))).imageId();
        } catch (AwsServiceException e) {
            if (AwsErrors.code(e).startsWith("InvalidAMIID.")) {
                throw new ImageNotFoundException(input.sourceImageId(), input.sourceRegion(), e);
            }
            RuntimeException mapped = AwsErrors.common("ec2:CopyImage", e);
            if (mapped == e && e.statusCode() >= 400 && e.statusCode() < 500) {
                throw new CopyImageRejectedException(input.sourceImageId(), input.accountId(), input.region(), e);
            }
            throw mapped;
        }
    }
}

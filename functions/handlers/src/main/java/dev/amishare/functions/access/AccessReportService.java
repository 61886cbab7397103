package dev.amishare.functions.access;

import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.keypolicy.KeyPolicyDocument;
import dev.amishare.functions.launch.LaunchPermissions;
import dev.amishare.functions.prepare.ImageSnapshots;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Compares who has access to an image of the calling account with what the ledger records: launch
 * permission on the image, create-volume permission on each of its snapshots and a place in amishare's
 * statements of each customer-managed key. It only reads.
 *
 * <p>Per resource and principal the verdict is {@link PrincipalAccess#OK} (present and recorded),
 * {@link PrincipalAccess#UNRECORDED} (present, but no grant item: somebody gave it outside amishare) or
 * {@link PrincipalAccess#MISSING} (recorded, but gone: somebody took it away outside amishare). A key's
 * grant items come from every image under the key, because one statement serves all of them: a principal
 * that another image's share recorded holds the key rightly.
 */
public record AccessReportService(Ec2Client ec2, KmsClient kms, GrantReader ledger) {

    private static final Logger LOG = LogManager.getLogger(AccessReportService.class);

    /**
     * @throws ImageNotFoundException when the calling account has no such image in the region, which is
     *     also what an image of another account is here: only its owner's report means anything
     */
    public AccessReport report(String imageId) {
        String region = ec2.serviceClientConfiguration().region().id();
        Image image = ownImage(imageId, region);
        List<ImageSnapshots.Found> snapshots = ImageSnapshots.read(ec2, kms, image, f ->
                LOG.info("snapshot {} of {} is under AWS managed key {}: no key policy to compare", f.snapshotId(),
                        imageId, f.keyArn()));

        List<ResourceAccess> resources = new ArrayList<>();
        resources.add(compare(imageId, ResourceAccess.LAUNCH, imageId, LaunchPermissions.principals(ec2, imageId),
                UnaryOperator.identity()));
        snapshots.stream().map(ImageSnapshots.Found::snapshotId).distinct().sorted().forEach(snapshotId ->
                resources.add(compare(imageId, ResourceAccess.SNAPSHOT, snapshotId,
                        SnapshotPermissionService.accounts(ec2, snapshotId), UnaryOperator.identity())));
        snapshots.stream().filter(f -> f.encrypted() && !f.awsManagedKey()).map(ImageSnapshots.Found::keyArn)
                .distinct().sorted().forEach(keyArn -> resources.add(compare(imageId, ResourceAccess.KEY, keyArn,
                        keyPrincipals(keyArn), AccessReportService::asPolicyHolds)));

        int drift = (int) resources.stream().flatMap(r -> r.principals().stream()).filter(PrincipalAccess::drift)
                .count();
        LOG.info("access of {} in {}: {} resources, {} principals differ from the ledger", imageId, region,
                resources.size(), drift);
        return new AccessReport(imageId, region, resources, drift, drift > 0);
    }

    /**
     * One resource's principals: every principal a grant item names, and every one AWS gives access that
     * none names.
     *
     * @param present the principals AWS gives access, as AWS names them
     * @param asPresent turns a recorded principal into the form {@code present} names it in
     */
    private ResourceAccess compare(String imageId, String kind, String resource, Set<String> present,
            UnaryOperator<String> asPresent) {
        Map<String, Set<String>> sharesByPrincipal = new TreeMap<>();
        for (RecordedGrant g : ledger.grants(resource)) {
            if (g.principal() == null) {
                continue;
            }
            Set<String> shares = sharesByPrincipal.computeIfAbsent(g.principal(), p -> new TreeSet<>());
            if (g.shareId() != null) {
                shares.add(g.shareId());
            }
        }
        List<PrincipalAccess> principals = new ArrayList<>();
        Set<String> covered = new TreeSet<>();
        sharesByPrincipal.forEach((principal, shares) -> {
            String held = asPresent.apply(principal);
            covered.add(held);
            boolean has = present.contains(held);
            principals.add(new PrincipalAccess(principal, has, List.copyOf(shares),
                    has ? PrincipalAccess.OK : PrincipalAccess.MISSING));
        });
        for (String principal : new TreeSet<>(present)) {
            if (!covered.contains(principal)) {
                principals.add(new PrincipalAccess(principal, true, List.of(), PrincipalAccess.UNRECORDED));
            }
        }
        principals.sort(Comparator.comparing(PrincipalAccess::principal));
        for (PrincipalAccess p : principals) {
            if (p.drift()) {
                LOG.warn("access drift on image {}: {} {} for {} is {} (present={}, shares {})", imageId, kind,
                        resource, p.principal(), p.verdict(), p.present(), p.shareIds());
            }
        }
        return new ResourceAccess(kind, resource, principals);
    }

    /** What amishare's statements of the key hold: account ids, organization ids and OU paths. */
    private Set<String> keyPrincipals(String keyArn) {
        String policy;
        try {
            // Keys have exactly one policy, and KMS names it "default".
            policy = kms.getKeyPolicy(r -> r.keyId(keyArn).policyName("default")).policy();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("kms:GetKeyPolicy", e);
        }
        return KeyPolicyDocument.parse(policy, keyArn).principals();
    }

    /** A recorded principal as a key policy holds it; one that is none of amishare's forms stays as it is. */
    private static String asPolicyHolds(String principal) {
        try {
            return KeyPolicyDocument.policyValue(principal);
        } catch (IllegalArgumentException e) {
            return principal;
        }
    }

    private Image ownImage(String imageId, String region) {
        List<Image> images;
        try {
            // Only the owner can read launch permissions; owners=self keeps another account's image out.
            images = ec2.describeImages(r -> r.imageIds(imageId).owners("self")).images();
        } catch (AwsServiceException e) {
            throw LaunchPermissions.translate(ec2, "ec2:DescribeImages", imageId, e);
        }
        if (images.isEmpty()) {
            throw new ImageNotFoundException(imageId, region, null);
        }
        return images.get(0);
    }
}

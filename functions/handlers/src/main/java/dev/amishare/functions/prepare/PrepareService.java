package dev.amishare.functions.prepare;

import dev.amishare.errors.AwsManagedKeyException;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.errors.ImageNotAvailableException;
import dev.amishare.errors.ImageNotFoundException;
import dev.amishare.errors.ImageNotOwnedException;
import dev.amishare.errors.InvalidShareRequestException;
import dev.amishare.functions.common.AwsErrors;
import dev.amishare.functions.keypolicy.KeyPolicyDocument;
import dev.amishare.functions.launch.LaunchPermissions;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.ledger.ShareLedger;
import dev.amishare.functions.ledger.ShareRecord;
import dev.amishare.functions.model.AccessBaseline;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.S3Location;
import dev.amishare.functions.model.TargetSet;
import dev.amishare.functions.model.ShareRequest;
import dev.amishare.functions.model.ShareRequestValidator;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The first stage: checks the request, lists the accounts of the OUs it copies into, then reads the AMI,
 * its snapshots and their keys, and which of the targets already have access (the baseline a rollback
 * keeps). It only reads AWS; it writes the target list and the baseline to the share bucket, so that its
 * result (the workflow's state from here on) does not grow with the number of targets. A request that
 * fails here has changed nothing in any account.
 */
public record PrepareService(Ec2Client ec2, KmsClient kms, StsClient sts, PerimeterGuard perimeter,
        OrganizationalUnitAccounts organizationalUnits, ShareStore store, ShareLedger ledger) {

    private static final Logger LOG = LogManager.getLogger(PrepareService.class);

    public PreparedShare prepare(PrepareInput input) {
        // Everything that can be checked without AWS is checked before the first call.
        ShareRequest request = ShareRequestValidator.read(input.request());
        String owner = callerAccount();
        String region = ec2.serviceClientConfiguration().region().id();
        List<String> problems = ShareRequestValidator.ownerProblems(request, owner, region);
        if (!problems.isEmpty()) {
            throw new InvalidShareRequestException(problems);
        }
        // The OUs the request copies into must be inside the perimeter before anybody lists them.
        perimeter.check(new Principals(List.of(), List.of(), request.copyToOrganizationalUnits().stream()
                .map(ShareRequest.OrganizationalUnitCopy::organizationalUnitArn).toList()));
        request = withOrganizationalUnitAccounts(request, owner);
        // Before any other call: a request naming anybody outside the perimeter changes nothing anywhere.
        perimeter.check(request.principals());
        request = request.sourceRegion() == null ? request.withSourceRegion(region) : request;
        LOG.info("request valid: {} target accounts ({} copying), {} organizations, {} OUs, dryRun={}",
                request.targets().size(), request.copyingAccountIds().size(), request.organizationArns().size(),
                request.organizationalUnitArns().size(), request.dryRun());

        Image image = image(request.imageId(), region);
        if (!owner.equals(image.ownerId())) {
            throw new ImageNotOwnedException(image.imageId(), image.ownerId(), owner);
        }
        if (image.state() != ImageState.AVAILABLE) {
            throw new ImageNotAvailableException(image.imageId(), image.stateAsString());
        }

        List<SnapshotInfo> snapshots = ImageSnapshots.read(ec2, kms, image, f -> {
            throw new AwsManagedKeyException(image.imageId(), f.snapshotId(), f.keyArn());
        }).stream().map(f -> new SnapshotInfo(f.snapshotId(), f.encrypted(), f.keyArn())).toList();
        List<String> keyArns = snapshots.stream().filter(SnapshotInfo::encrypted).map(SnapshotInfo::kmsKeyArn)
                .distinct().toList();
        LOG.info("AMI {} ({}) has {} snapshots under {} customer-managed keys", image.imageId(), image.name(),
                snapshots.size(), keyArns.size());
        AccessBaseline baseline = baseline(request, snapshots, keyArns);

        S3Location targetList = store.put(input.executionId(), "targets.json", request.targets());
        S3Location baselineAt = store.put(input.executionId(), "baseline.json", baseline);
        TargetSet targets = new TargetSet(targetList, request.targets().size(), request.organizationArns(),
                request.organizationalUnitArns());
        if (!request.dryRun()) {
            // The share's record, before any grant: GET /shares lists it, and an unshare finds what it is.
            String now = ledger.clock().instant().toString();
            ledger.putShare(new ShareRecord(input.executionId(), image.imageId(), region, request.principals(),
                    keyArns, snapshots.stream().map(SnapshotInfo::snapshotId).toList(), ShareRecord.State.RUNNING,
                    request.requestedBy(), now, now, null, null));
        }
        return new PreparedShare(request.withTargets(List.of()), owner, region, image.name(), snapshots, keyArns,
                !keyArns.isEmpty(), targets, request.copyingAccountIds().size(), baselineAt, input.executionId());
    }

    /**
     * The request with every account of its {@code copyToOrganizationalUnits} as a target that copies. An
     * account the request also names keeps its own copies and gains the OU's regions it does not name; the
     * owner account, which may sit in such an OU, is left out.
     */
    private ShareRequest withOrganizationalUnitAccounts(ShareRequest request, String owner) {
        if (request.copyToOrganizationalUnits().isEmpty()) {
            return request;
        }
        Map<String, List<ShareRequest.Copy>> copies = new LinkedHashMap<>();
        request.targets().forEach(t -> copies.put(t.accountId(), new ArrayList<>(t.copy())));
        for (ShareRequest.OrganizationalUnitCopy ou : request.copyToOrganizationalUnits()) {
            List<String> accounts = organizationalUnits.accountsUnder(ou.organizationalUnitArn());
            LOG.info("OU {} has {} accounts to copy into", ou.organizationalUnitArn(), accounts.size());
            for (String account : accounts) {
                if (account.equals(owner)) {
                    continue;
                }
                List<ShareRequest.Copy> own = copies.computeIfAbsent(account, a -> new ArrayList<>());
                for (ShareRequest.Copy copy : ou.copy()) {
                    if (own.stream().noneMatch(c -> c.region().equals(copy.region()))) {
                        own.add(copy);
                    }
                }
            }
        }
        List<ShareRequest.Target> targets = new ArrayList<>();
        copies.forEach((account, c) -> targets.add(new ShareRequest.Target(account, c)));
        return request.withTargets(targets);
    }

    /**
     * Reads which of the request's principals already have access, before any stage changes it, so that
     * a rollback can leave that access in place. Snapshots are read for every target account, not only the
     * copying ones, because Revoke takes create-volume permission back from every target account.
     */
    private AccessBaseline baseline(ShareRequest request, List<SnapshotInfo> snapshots, List<String> keyArns) {
        Set<String> launch = LaunchPermissions.principals(ec2, request.imageId());
        List<String> launchHeld = new ArrayList<>();
        request.principals().all().stream().filter(launch::contains).filter(p -> !launchHeld.contains(p))
                .forEach(launchHeld::add);

        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (String keyArn : keyArns) {
            keys.put(keyArn, keyPrincipals(keyArn, request));
        }

        Map<String, List<String>> snapshotAccounts = new LinkedHashMap<>();
        if (!request.accountIds().isEmpty()) {
            for (SnapshotInfo snapshot : snapshots) {
                Set<String> allowed = SnapshotPermissionService.accounts(ec2, snapshot.snapshotId());
                snapshotAccounts.put(snapshot.snapshotId(),
                        request.accountIds().stream().filter(allowed::contains).distinct().toList());
            }
        }
        AccessBaseline baseline = new AccessBaseline(launchHeld, keys, snapshotAccounts);
        LOG.info("access before this execution: launch permission for {} of the targets, {} keys, {} snapshots",
                baseline.launchPermission().size(), baseline.keys().size(), baseline.snapshots().size());
        return baseline;
    }

    /** The request's principals amishare's statements in the key's policy already hold, as ARNs or ids. */
    private List<String> keyPrincipals(String keyArn, ShareRequest request) {
        String policy;
        try {
            // Keys have exactly one policy, and KMS names it "default".
            policy = kms.getKeyPolicy(r -> r.keyId(keyArn).policyName("default")).policy();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("kms:GetKeyPolicy", e);
        }
        // The policy names organizations by id and OUs by path; map them back to the request's ARNs.
        Map<String, List<String>> arnsByOrgId = new LinkedHashMap<>();
        request.organizationArns().forEach(a ->
                arnsByOrgId.computeIfAbsent(KeyPolicyDocument.organizationId(a), k -> new ArrayList<>()).add(a));
        Map<String, List<String>> arnsByOuPath = new LinkedHashMap<>();
        request.organizationalUnitArns().forEach(a ->
                arnsByOuPath.computeIfAbsent(KeyPolicyDocument.organizationalUnitPath(a), k -> new ArrayList<>()).add(a));
        KeyPolicyDocument.Outcome held = KeyPolicyDocument.parse(policy, keyArn)
                .held(request.principals());
        Set<String> out = new LinkedHashSet<>();
        for (String p : held.unchanged) {
            out.addAll(arnsByOrgId.getOrDefault(p, arnsByOuPath.getOrDefault(p, List.of(p))));
        }
        return List.copyOf(out);
    }

    private String callerAccount() {
        try {
            return sts.getCallerIdentity().account();
        } catch (AwsServiceException e) {
            throw AwsErrors.common("sts:GetCallerIdentity", e);
        }
    }

    private Image image(String imageId, String region) {
        List<Image> images;
        try {
            images = ec2.describeImages(r -> r.imageIds(imageId)).images();
        } catch (AwsServiceException e) {
            if (AwsErrors.code(e).startsWith("InvalidAMIID.")) {
                throw new ImageNotFoundException(imageId, region, e);
            }
            throw AwsErrors.common("ec2:DescribeImages", e);
        }
        if (images.isEmpty()) {
            throw new ImageNotFoundException(imageId, region, null);
        }
        return images.get(0);
    }
}

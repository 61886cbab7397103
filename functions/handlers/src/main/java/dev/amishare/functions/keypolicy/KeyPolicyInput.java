package dev.amishare.functions.keypolicy;

import dev.amishare.functions.common.Validation;
import dev.amishare.functions.common.Validation.IdKind;
import dev.amishare.functions.model.Principals;
import dev.amishare.functions.model.TargetSet;
import java.util.List;

/**
 * What the key-policy stage (and the key part of revoke) needs: the owner's customer-managed keys and
 * who may use them.
 *
 * @param keyArns customer-managed key ARNs of the AMI's snapshots ({@code PreparedShare.customerManagedKeyArns})
 * @param principals the accounts, organizations and OUs that may use the keys, named inline
 * @param targets the same, with the accounts in S3 (how the workflow passes them); both are used
 * @param dryRun report what would change, change nothing
 * @param executionId the workflow execution this call belongs to, for the logs and the share ledger
 * @param imageId the AMI whose share this is: the share ledger records each key grant per image, so that
 *     revoking one AMI leaves a principal in the policy while another AMI under the same key is still
 *     shared with it; optional for a direct invocation, whose grants are then recorded without an image
 * @param shareId the share these grants belong to (a revoke ends only its grants); a grant that names none
 *     belongs to its execution's share ({@code executionId}, the execution's name)
 */
public record KeyPolicyInput(List<String> keyArns, Principals principals, TargetSet targets, Boolean dryRun,
        String executionId, String imageId, String shareId) {

    public KeyPolicyInput {
        keyArns = keyArns == null ? List.of() : List.copyOf(keyArns);
        principals = principals == null ? Principals.NONE : principals;
        targets = targets == null ? TargetSet.NONE : targets;
        dryRun = Boolean.TRUE.equals(dryRun);
    }

    /** Without an image: grants recorded under no image, a revoke that takes back only those. */
    public KeyPolicyInput(List<String> keyArns, Principals principals, TargetSet targets, Boolean dryRun,
            String executionId) {
        this(keyArns, principals, targets, dryRun, executionId, null, null);
    }

    /** Grants of the execution's own share. */
    public KeyPolicyInput(List<String> keyArns, Principals principals, TargetSet targets, Boolean dryRun,
            String executionId, String imageId) {
        this(keyArns, principals, targets, dryRun, executionId, imageId, null);
    }

    /** The share a grant belongs to: the one named, else the execution's own. */
    public String share() {
        return shareId != null ? shareId : executionId;
    }

    /** Checks every field and raises one error naming each problem; makes no AWS call. */
    public void validate() {
        Validation v = new Validation().each(keyArns, IdKind.KMS_KEY_ARN, "keyArns");
        if (imageId != null) {
            v.matches(imageId, IdKind.IMAGE_ID, "imageId");
        }
        targets.checkInto(v, principals, "principals").throwIfInvalid();
    }
}

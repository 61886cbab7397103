package dev.amishare.infra;

/**
 * The tags that opt resources into amishare. IAM conditions and EventBridge patterns use these; the
 * entry functions' copy ({@code dev.amishare.functions.entry.EntryTags}) is checked equal by a test.
 */
public final class OptInTags {

    /**
     * On KMS keys, AMIs and their snapshots: amishare may edit the key policy and the image and snapshot
     * permissions only of resources carrying {@code amishare:managed = true} (aws:ResourceTag conditions).
     */
    public static final String MANAGED = "amishare:managed";
    public static final String MANAGED_VALUE = "true";

    /** On AMIs: the accounts to share with, comma-separated. Changing it starts a share. */
    public static final String TARGETS = "amishare:targets";

    /** On AMIs: {@code true} shares the AMI with every account Control Tower or Organizations creates. */
    public static final String SHARE_WITH_NEW_ACCOUNTS = "amishare:share-with-new-accounts";
    public static final String SHARE_WITH_NEW_ACCOUNTS_VALUE = "true";

    private OptInTags() {
    }
}

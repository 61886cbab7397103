package dev.amishare.functions.entry;

/**
 * The AMI tags the event entry points act on. The owner stack's rules match the same keys
 * ({@code dev.amishare.infra.EntryPoints}); a test keeps the two in step.
 */
public final class EntryTags {

    /** Comma-separated account ids to share the AMI with, e.g. {@code 222222222222,333333333333}. */
    public static final String TARGETS = "amishare:targets";

    /** {@code true} on AMIs that every newly vended account gets. */
    public static final String SHARE_WITH_NEW_ACCOUNTS = "amishare:share-with-new-accounts";

    public static final String SHARE_WITH_NEW_ACCOUNTS_VALUE = "true";

    private EntryTags() {
    }
}

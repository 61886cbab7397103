package dev.amishare.contract;

/**
 * Every Lambda function amishare deploys, declared once. The owner stack builds one function per
 * constant (its id, handler and description come from here) and decides each one's role and permissions
 * in one exhaustive {@code switch}, so a new constant does not compile until its permissions are written;
 * the workflow names its task after {@link #stateName()}; the tests iterate {@link #values()}.
 */
public enum Stage {

    PREPARE("Prepare share", "Prepare", "prepare.PrepareHandler",
            "reads the AMI, its snapshots and their keys"),
    /** Runs per batch of targets inside the "Check targets" Distributed Map, before anything is granted. */
    CHECK_TARGETS("Check readiness", "CheckTargets", "readiness.CheckTargetsHandler",
            "checks, before any grant, that each target of a batch can take the share"),
    SELECT_READY("Select ready targets", "SelectReady", "readiness.SelectReadyHandler",
            "lists the targets that passed their readiness checks, for the grants"),
    GRANT_LAUNCH_PERMISSION("Grant launch permission", "GrantLaunchPermission",
            "launch.GrantLaunchPermissionHandler", "grants launch permission on an AMI to target accounts"),
    KEY_POLICY("Patch key policies", "KeyPolicy", "keypolicy.KeyPolicyHandler",
            "lets target accounts use the AMI's key through the key policy"),
    SHARE_SNAPSHOTS("Share snapshots", "ShareSnapshots", "snapshots.ShareSnapshotsHandler",
            "shares the AMI's snapshots with copying targets"),
    VALIDATE_CONSUMER("Validate consumer", "ValidateConsumer", "consumer.ValidateConsumerHandler",
            "checks, as each target's consumer role, that the target can use the share"),
    COPY_IMAGE("Copy image", "CopyImage", "copy.CopyImageHandler",
            "copies the shared AMI into a target account"),
    /** Not a state of the workflow: reads a copy's state on demand (operators, tests). */
    COPY_STATUS(null, "CopyStatus", "copy.CopyStatusHandler",
            "reads the state of a copy in a target account"),
    REPORT("Write share report", "Report", "report.ShareReportHandler",
            "writes one outcome per target to S3 and sums them up"),
    REVOKE("Revoke grants", "Revoke", "revoke.RevokeHandler",
            "takes launch, snapshot and key-policy grants back"),
    AWAIT_COPY("Await copy", "AwaitCopy", "copy.AwaitCopyHandler",
            "keeps a copy's task token until the copy's AMI event arrives"),
    /** Target of the owner bus's rule for forwarded "EC2 AMI State Change" events. */
    COPY_EVENT(null, "CopyEvent", "copy.CopyEventHandler",
            "answers a copy's task token when its forwarded AMI event arrives"),
    /** Entry point: target of the "Tag Change on Resource" rule. */
    SHARE_TAG_CHANGED(null, "ShareTagChanged", "entry.ShareTagChangedHandler",
            "starts a share when an AMI's " + Names.TAG_TARGETS + " tag changes"),
    /** Entry point: target of the account-vending rules. */
    NEW_ACCOUNT(null, "NewAccount", "entry.NewAccountHandler",
            "shares the AMIs tagged for new accounts with a newly created account"),
    /** Behind the REST API: starts, lists, reads and unshares shares, and reports an image's access. */
    SHARE_API(null, "ShareApi", "api.ShareApiHandler",
            "answers the share API: starts, lists, reads and unshares shares");

    /** The package every handler class lives under. */
    public static final String HANDLER_PACKAGE = "dev.amishare.functions.";

    private final String stateName;
    private final String functionId;
    private final String handlerClass;
    private final String description;

    Stage(String stateName, String functionId, String handlerClass, String description) {
        this.stateName = stateName;
        this.functionId = functionId;
        this.handlerClass = HANDLER_PACKAGE + handlerClass;
        this.description = description;
    }

    /** The workflow state that invokes this function; null for functions outside the workflow. */
    public String stateName() {
        return stateName;
    }

    public boolean inWorkflow() {
        return stateName != null;
    }

    /** The construct id of the function (and the prefix of its role's and log group's ids). */
    public String functionId() {
        return functionId;
    }

    /** The handler's fully-qualified class name. */
    public String handlerClass() {
        return handlerClass;
    }

    /** The Lambda handler string: the class's stream handler method. */
    public String handler() {
        return handlerClass + "::handleRequest";
    }

    /** What the function does, for its description ("amishare: …"). */
    public String description() {
        return description;
    }
}

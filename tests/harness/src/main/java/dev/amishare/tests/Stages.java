package dev.amishare.tests;

import dev.amishare.functions.consumer.ConsumerValidationService;
import dev.amishare.functions.consumer.ValidateConsumerHandler;
import dev.amishare.functions.copy.CopyImageHandler;
import dev.amishare.functions.copy.CopyImageService;
import dev.amishare.functions.copy.CopyStatusHandler;
import dev.amishare.functions.copy.CopyStatusService;
import dev.amishare.functions.keypolicy.KeyPolicyHandler;
import dev.amishare.functions.keypolicy.KeyPolicyInput;
import dev.amishare.functions.keypolicy.KeyPolicyResult;
import dev.amishare.functions.keypolicy.KeyPolicyService;
import dev.amishare.functions.launch.GrantLaunchPermissionHandler;
import dev.amishare.functions.launch.GrantLaunchPermissionInput;
import dev.amishare.functions.launch.GrantLaunchPermissionService;
import dev.amishare.functions.launch.LaunchPermissionResult;
import dev.amishare.functions.prepare.PrepareHandler;
import dev.amishare.functions.prepare.PrepareService;
import dev.amishare.functions.readiness.CheckTargetsHandler;
import dev.amishare.functions.readiness.ReadinessService;
import dev.amishare.functions.revoke.RevokeHandler;
import dev.amishare.functions.revoke.RevokeService;
import dev.amishare.functions.snapshots.ShareSnapshotsHandler;
import dev.amishare.functions.snapshots.SnapshotPermissionInput;
import dev.amishare.functions.snapshots.SnapshotPermissionResult;
import dev.amishare.functions.snapshots.SnapshotPermissionService;
import dev.amishare.contract.Names;
import dev.amishare.contract.Perimeter;
import dev.amishare.functions.common.ConsumerRoles;
import dev.amishare.functions.common.OrganizationDirectory;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.functions.common.ShareStore;
import dev.amishare.functions.ledger.ShareLedger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import dev.amishare.functions.model.Principals;
import java.util.List;

/**
 * The stage handlers wired as their no-arg constructors wire them in Lambda, with the owner's
 * clients on the emulator, plus the owner-side grants the consumer-side stages depend on.
 */
public final class Stages {

    public final Aws aws;
    public final PrepareHandler prepare;
    public final GrantLaunchPermissionHandler launch;
    public final KeyPolicyHandler keyPolicy;
    public final ShareSnapshotsHandler snapshots;
    public final CheckTargetsHandler checkTargets;
    public final ValidateConsumerHandler validate;
    public final CopyImageHandler copy;
    public final CopyStatusHandler copyStatus;
    public final RevokeHandler revoke;
    /** The share bucket the stages keep target lists in, as the owner stack's would be. */
    public final ShareStore store;

    /** The share ledger the key-policy stages take leases in and record grants in, as the owner stack's. */
    public final ShareLedger ledger;

    /** The table {@link #ledger} uses in the owner account, shaped as the owner stack's. */
    public static final String LEDGER_TABLE = "amishare-it-share-ledger";

    /** The bucket {@link #store} writes to in the owner account. */
    public static final String SHARE_BUCKET = "amishare-it-share-data";

    public Stages(Aws aws) {
        this.aws = aws;
        var ec2 = aws.ec2(Accounts.OWNER);
        var kms = aws.kms(Accounts.OWNER);
        var sts = aws.sts(Accounts.OWNER);
        var targets = new EmulatorTargetClients(aws.endpoint());
        var roles = new ConsumerRoles(sts, null);
        // The emulator's organization, checked through its Organizations as the deployed functions do.
        var perimeter = new PerimeterGuard(Perimeter.ofOrganization(Accounts.ORGANIZATION_ID),
                aws.organizations(Accounts.OWNER));
        var s3 = aws.s3(Accounts.OWNER);
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(SHARE_BUCKET))) {
            s3.createBucket(r -> r.bucket(SHARE_BUCKET));
        }
        store = new ShareStore(s3, SHARE_BUCKET);
        ledger = new ShareLedger(ledgerTable(aws.dynamoDb(Accounts.OWNER)), LEDGER_TABLE);
        var directory = new OrganizationDirectory(aws.organizations(Accounts.OWNER));
        prepare = new PrepareHandler(new PrepareService(ec2, kms, sts, perimeter, directory::accountsUnder, store, ledger));
        launch = new GrantLaunchPermissionHandler(new GrantLaunchPermissionService(ec2, perimeter, store, ledger));
        keyPolicy = new KeyPolicyHandler(new KeyPolicyService(kms, perimeter, store, ledger));
        snapshots = new ShareSnapshotsHandler(new SnapshotPermissionService(ec2, perimeter, store, ledger));
        checkTargets = new CheckTargetsHandler(new ReadinessService(roles, targets));
        validate = new ValidateConsumerHandler(new ConsumerValidationService(roles, targets));
        copy = new CopyImageHandler(new CopyImageService(roles, targets, perimeter));
        copyStatus = new CopyStatusHandler(new CopyStatusService(roles, targets));
        revoke = new RevokeHandler(new RevokeService(ec2, new SnapshotPermissionService(ec2, perimeter, store, ledger),
                new KeyPolicyService(kms, perimeter, store, ledger), perimeter, store, ledger));
    }

    /** The ledger table {@link #LEDGER_TABLE}, created as the owner stack declares it (string keys pk and sk) when absent. */
    public static DynamoDbClient ledgerTable(DynamoDbClient ddb) {
        if (!ddb.listTables().tableNames().contains(LEDGER_TABLE)) {
            ddb.createTable(r -> r.tableName(LEDGER_TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            a -> a.attributeName(Names.LEDGER_PARTITION_KEY).attributeType(ScalarAttributeType.S),
                            a -> a.attributeName(Names.LEDGER_SORT_KEY).attributeType(ScalarAttributeType.S))
                    .keySchema(k -> k.attributeName(Names.LEDGER_PARTITION_KEY).keyType(KeyType.HASH),
                            k -> k.attributeName(Names.LEDGER_SORT_KEY).keyType(KeyType.RANGE)));
            ddb.waiter().waitUntilTableExists(r -> r.tableName(LEDGER_TABLE));
        }
        return ddb;
    }

    public LaunchPermissionResult grantLaunch(String imageId, String account) {
        return Handlers.invoke(launch, new GrantLaunchPermissionInput(imageId,
                Principals.ofAccounts(List.of(account)), null, false, "it"),
                LaunchPermissionResult.class);
    }

    public KeyPolicyResult grantKeys(List<String> keyArns, String account) {
        return Handlers.invoke(keyPolicy, new KeyPolicyInput(keyArns,
                Principals.ofAccounts(List.of(account)), null, false, "it"),
                KeyPolicyResult.class);
    }

    public SnapshotPermissionResult shareSnapshots(String imageId, String account) {
        return Handlers.invoke(snapshots, new SnapshotPermissionInput(snapshotIds(imageId), List.of(account), false, "it"),
                SnapshotPermissionResult.class);
    }

    public List<String> snapshotIds(String imageId) {
        return Images.snapshotIds(aws.ec2(Accounts.OWNER), imageId);
    }

    public String keyPolicy(String keyArn) {
        return new OwnerState(aws).keyPolicy(keyArn);
    }
}

package dev.amishare.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import dev.amishare.contract.Perimeter;
import java.util.Arrays;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.DefaultStackSynthesizer;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app that {@code cdk.json} runs: {@code npx cdk synth -c perimeterOrganizationId=o-…} from the
 * repository root. Context (-c key=value, documented in infra/README.md): the sharing perimeter
 * (perimeterOrganizationId, perimeterOrganizationalUnitIds, perimeterAccountIds, comma-separated; the owner
 * stack refuses to synthesize without one), managementAccountId, externalId, consumerRoleName, and for the
 * consumer stack ownerAccountId, ownerRegion, ownerAccessRoleArn, ownerCopyWaiterRoleArn.
 */
public final class AmishareApp {

    private AmishareApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        build(app);
        app.synth();
    }

    /** Both stacks, with the cdk-nag AwsSolutions checks that fail the synth on an unsuppressed error. */
    static void build(App app) {
        Environment env = Environment.builder()
                .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
                .region(System.getenv("CDK_DEFAULT_REGION"))
                .build();
        String consumerRoleName = context(app, "consumerRoleName");
        String organizationId = context(app, "perimeterOrganizationId");
        Perimeter perimeter = new Perimeter(organizationId, list(context(app, "perimeterOrganizationalUnitIds")),
                list(context(app, "perimeterAccountIds")));
        new OwnerStack(app, "AmishareOwner", OwnerStack.OwnerStackProps.builder()
                .functionsJar(FunctionsJar.locate())
                .consumerRoleName(consumerRoleName)
                .perimeter(perimeter)
                .externalId(context(app, "externalId"))
                .managementAccountId(context(app, "managementAccountId"))
                .stackProps(StackProps.builder()
                        .description("amishare: shares encrypted AMIs from this account with other accounts")
                        .env(env)
                        .build())
                .build());
        new ConsumerStack(app, "AmishareConsumer", ConsumerStack.ConsumerStackProps.builder()
                .ownerAccountId(context(app, "ownerAccountId"))
                .ownerRegion(context(app, "ownerRegion"))
                .ownerAccessRoleArn(context(app, "ownerAccessRoleArn"))
                .ownerCopyWaiterRoleArn(context(app, "ownerCopyWaiterRoleArn"))
                .consumerRoleName(consumerRoleName)
                .externalId(context(app, "externalId"))
                .organizationId(organizationId)
                .stackProps(StackProps.builder()
                        .description("amishare: lets the owner account validate shares and copy AMIs into this account")
                        // Environment-agnostic: one template for every target account and region (StackSets,
                        // account vending, or `cdk deploy` with each account's credentials).
                        // No assets, and target accounts deployed through StackSets are not CDK-bootstrapped:
                        // no BootstrapVersion parameter and rule that would read a missing SSM parameter.
                        .synthesizer(DefaultStackSynthesizer.Builder.create()
                                .generateBootstrapVersionRule(false)
                                .build())
                        .build())
                .build());
        Aspects.of(app).add(new AwsSolutionsChecks());
    }

    private static List<String> list(String value) {
        return value == null ? List.of()
                : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String context(App app, String key) {
        Object value = app.getNode().tryGetContext(key);
        return value == null || value.toString().isBlank() ? null : value.toString();
    }
}

package dev.amishare.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.util.Arrays;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.DefaultStackSynthesizer;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app that {@code cdk.json} runs: {@code npx cdk synth} from the repository root. Context
 * (-c key=value): ownerAccountId, ownerAccessRoleArn, ownerCopyWaiterRoleArn, consumerRoleName, externalId, organizationId,
 * consumerAccountIds (comma-separated).
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
        String organizationId = context(app, "organizationId");
        String accounts = context(app, "consumerAccountIds");
        new OwnerStack(app, "AmishareOwner", OwnerStack.OwnerStackProps.builder()
                .functionsJar(FunctionsJar.locate())
                .consumerRoleName(consumerRoleName)
                .organizationId(organizationId)
                .consumerAccountIds(accounts == null ? List.of()
                        : Arrays.stream(accounts.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .stackProps(StackProps.builder()
                        .description("amishare: shares encrypted AMIs from this account with other accounts")
                        .env(env)
                        .build())
                .build());
        new ConsumerStack(app, "AmishareConsumer", ConsumerStack.ConsumerStackProps.builder()
                .ownerAccountId(context(app, "ownerAccountId"))
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

    private static String context(App app, String key) {
        Object value = app.getNode().tryGetContext(key);
        return value == null || value.toString().isBlank() ? null : value.toString();
    }
}

package dev.amishare.infra;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/** The CDK app that {@code cdk.json} runs: {@code npx cdk synth} from the repository root. */
public final class AmishareApp {

    private AmishareApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        new OwnerStack(app, "AmishareOwner", OwnerStack.OwnerStackProps.builder()
                .functionsJar(FunctionsJar.locate())
                .stackProps(StackProps.builder()
                        .description("amishare: shares encrypted AMIs from this account with other accounts")
                        .env(Environment.builder()
                                .account(System.getenv("CDK_DEFAULT_ACCOUNT"))
                                .region(System.getenv("CDK_DEFAULT_REGION"))
                                .build())
                        .build())
                .build());
        app.synth();
    }
}

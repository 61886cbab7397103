package dev.amishare.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.cdklabs.cdknag.NIST80053R5Checks;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;

/**
 * The NIST 800-53 rev 5 pack over both stacks. Its findings are not suppressed: infra/README.md lists each
 * rule it flags and what amishare does about it, and this test keeps that list and the stacks in step — a
 * new finding, or one that went away, fails here until the README's table says so.
 */
class NistNagTest {

    /** The rules infra/README.md ("NIST 800-53 rev 5") answers, per stack. */
    static final Set<String> OWNER_RULES = Set.of("NIST.800.53.R5-APIGWAssociatedWithWAF",
            "NIST.800.53.R5-APIGWCacheEnabledAndEncrypted", "NIST.800.53.R5-APIGWSSLEnabled",
            "NIST.800.53.R5-CloudWatchLogGroupEncrypted", "NIST.800.53.R5-DynamoDBInBackupPlan",
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "NIST.800.53.R5-LambdaConcurrency", "NIST.800.53.R5-LambdaDLQ", "NIST.800.53.R5-LambdaInsideVPC",
            "NIST.800.53.R5-S3BucketLoggingEnabled", "NIST.800.53.R5-S3BucketReplicationEnabled",
            "NIST.800.53.R5-S3DefaultEncryptionKMS");
    static final Set<String> CONSUMER_RULES = Set.of("NIST.800.53.R5-IAMNoInlinePolicy");

    private static Set<String> rules(Stack stack) {
        Annotations annotations = Annotations.fromStack(stack);
        Set<String> rules = new TreeSet<>();
        annotations.findError("*", Match.stringLikeRegexp("NIST.800.53.R5-.*")).forEach(m ->
                rules.add(String.valueOf(m.getEntry().getData()).replaceAll(":.*", "").trim()));
        annotations.findWarning("*", Match.stringLikeRegexp("NIST.800.53.R5-.*")).forEach(m ->
                rules.add(String.valueOf(m.getEntry().getData()).replaceAll(":.*", "").trim()));
        return rules;
    }

    @Test
    void nist80053r5_shouldFlagExactlyTheRulesTheReadmeAnswers_whenBothStacksSynthesize() {
        // GIVEN the app as the template tests configure it, with the NIST pack added
        App app = new App(AppProps.builder().context(Map.of(
                "ownerAccountId", "111111111111",
                "perimeterOrganizationId", "o-abcdef1234",
                "managementAccountId", "999999999990")).build());
        AmishareApp.build(app);
        Aspects.of(app).add(new NIST80053R5Checks());

        // WHEN
        Set<String> owner = rules((Stack) app.getNode().findChild("AmishareOwner"));
        Set<String> consumer = rules((Stack) app.getNode().findChild("AmishareConsumer"));

        // THEN
        assertThat(owner).as("owner stack").isEqualTo(new TreeSet<>(OWNER_RULES));
        assertThat(consumer).as("consumer stack").isEqualTo(new TreeSet<>(CONSUMER_RULES));
    }
}

package dev.amishare.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/** One synthesized app for all template tests: synthesis through jsii takes seconds. */
final class Synth {

    static final App APP;
    static final OwnerStack OWNER;
    static final ConsumerStack CONSUMER;
    static final Template OWNER_TEMPLATE;
    static final Template CONSUMER_TEMPLATE;

    static {
        APP = new App(software.amazon.awscdk.AppProps.builder().context(Map.of(
                "ownerAccountId", "111111111111",
                "ownerRegion", "us-east-1",
                "externalId", "amishare-ext-42",
                "perimeterOrganizationId", "o-abcdef1234",
                "perimeterAccountIds", "555555555555",
                "managementAccountId", "999999999990")).build());
        AmishareApp.build(APP);
        OWNER = (OwnerStack) APP.getNode().findChild("AmishareOwner");
        CONSUMER = (ConsumerStack) APP.getNode().findChild("AmishareConsumer");
        // Template.fromStack synthesizes the app, which runs the cdk-nag aspect.
        OWNER_TEMPLATE = Template.fromStack(OWNER);
        CONSUMER_TEMPLATE = Template.fromStack(CONSUMER);
    }

    private Synth() {
    }

    /** Every IAM policy statement of a template: inline role policies and AWS::IAM::Policy documents. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> statements(Template template) {
        List<Map<String, Object>> statements = new ArrayList<>();
        template.findResources("AWS::IAM::Policy").values().forEach(r -> statements.addAll((List<Map<String, Object>>)
                ((Map<String, Object>) ((Map<String, Object>) r.get("Properties")).get("PolicyDocument"))
                        .get("Statement")));
        template.findResources("AWS::IAM::Role").values().forEach(r -> {
            Map<String, Object> props = (Map<String, Object>) r.get("Properties");
            List<Map<String, Object>> policies = (List<Map<String, Object>>) props.getOrDefault("Policies", List.of());
            policies.forEach(p -> statements.addAll((List<Map<String, Object>>)
                    ((Map<String, Object>) p.get("PolicyDocument")).get("Statement")));
        });
        return statements;
    }

    @SuppressWarnings("unchecked")
    static List<String> actions(Map<String, Object> statement) {
        Object action = statement.get("Action");
        return action instanceof List<?> list ? (List<String>) list : List.of((String) action);
    }

    static Stack owner() {
        return OWNER;
    }
}

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

    /** The logical id of the role the function of {@code stage} runs under. */
    @SuppressWarnings("unchecked")
    static String roleOf(Template template, dev.amishare.contract.Stage stage) {
        return template.findResources("AWS::Lambda::Function").values().stream()
                .map(f -> (Map<String, Object>) f.get("Properties"))
                .filter(p -> stage.handler().equals(p.get("Handler")))
                .map(p -> (String) ((List<Object>) ((Map<String, Object>) p.get("Role")).get("Fn::GetAtt")).get(0))
                .findFirst().orElseThrow(() -> new AssertionError("no function for " + stage));
    }

    /** Every statement of the policies attached to one role, by its logical id. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> statementsOf(Template template, String roleLogicalId) {
        List<Map<String, Object>> statements = new ArrayList<>();
        template.findResources("AWS::IAM::Policy").values().forEach(r -> {
            Map<String, Object> props = (Map<String, Object>) r.get("Properties");
            if (((List<Object>) props.getOrDefault("Roles", List.of())).contains(Map.of("Ref", roleLogicalId))) {
                statements.addAll((List<Map<String, Object>>)
                        ((Map<String, Object>) props.get("PolicyDocument")).get("Statement"));
            }
        });
        return statements;
    }

    /** A statement's resources, each rendered by {@link #render}. */
    @SuppressWarnings("unchecked")
    static List<String> resources(Map<String, Object> statement) {
        Object resource = statement.get("Resource");
        return (resource instanceof List<?> list ? (List<Object>) list : List.of(resource)).stream()
                .map(Synth::render).toList();
    }

    /**
     * A CloudFormation value as one string: Fn::Join flattened, {@code Ref} as {@code ${id}} and
     * {@code Fn::GetAtt} as {@code ${id.attribute}}, so a test can compare ARNs built from tokens.
     */
    @SuppressWarnings("unchecked")
    static String render(Object value) {
        if (value instanceof String text) {
            return text;
        }
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<String, Object> e = ((Map<String, Object>) map).entrySet().iterator().next();
            switch (e.getKey()) {
                case "Ref":
                    return "${" + e.getValue() + "}";
                case "Fn::GetAtt":
                    return "${" + String.join(".", (List<String>) e.getValue()) + "}";
                case "Fn::Join":
                    List<Object> join = (List<Object>) e.getValue();
                    return String.join((String) join.get(0),
                            ((List<Object>) join.get(1)).stream().map(Synth::render).toList());
                default:
                    break;
            }
        }
        return String.valueOf(value);
    }

    static Stack owner() {
        return OWNER;
    }
}

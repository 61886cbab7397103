package dev.amishare.statemachine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.amishare.contract.Stage;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.Bucket;

/** Synthesizes the workflow with placeholder function ARNs, for the template tests and the checked-in ASL. */
final class Synth {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** The placeholder ARN of a stage function, as the checked-in ASL names it. */
    static String arn(String stage) {
        return "arn:aws:lambda:us-east-1:111111111111:function:amishare-" + stage;
    }

    private Synth() {
    }

    static Template template(WorkflowOptions options) {
        Stack stack = new Stack();
        Map<Stage, IFunction> functions = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            if (stage.inWorkflow()) {
                functions.put(stage, Function.fromFunctionArn(stack, stage.functionId(), arn(stage)));
            }
        }
        new ShareWorkflow(stack, "Workflow", new ShareWorkflowProps(functions,
                Bucket.fromBucketName(stack, "ShareData", "amishare-share-data"), new LogGroup(stack, "Logs"), options));
        return Template.fromStack(stack);
    }

    static Template template() {
        return template(WorkflowOptions.defaults());
    }

    /** The placeholder ARN of a stage's function: its id in kebab case, e.g. amishare-grant-launch-permission. */
    static String arn(Stage stage) {
        return arn(stage.functionId().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
    }

    /** The state machine's definition: the template's DefinitionString with its Fn::Join parts resolved. */
    static JsonNode definition(Template template) {
        Map<String, Map<String, Object>> machines = template.findResources("AWS::StepFunctions::StateMachine");
        if (machines.size() != 1) {
            throw new IllegalStateException("expected one state machine, found " + machines.size());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) machines.values().iterator().next().get("Properties");
        Object definition = properties.get("DefinitionString");
        try {
            return MAPPER.readTree(resolve(definition));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode out = MAPPER.createObjectNode();
            java.util.List<String> names = new java.util.ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            java.util.Collections.sort(names);
            names.forEach(n -> out.set(n, sorted(node.get(n))));
            return out;
        }
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode out = MAPPER.createArrayNode();
            node.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static String resolve(Object value) {
        if (value instanceof String s) {
            return s;
        }
        Map<String, Object> intrinsic = (Map<String, Object>) value;
        if (intrinsic.containsKey("Fn::Join")) {
            List<Object> join = (List<Object>) intrinsic.get("Fn::Join");
            StringBuilder out = new StringBuilder();
            for (Object part : (List<Object>) join.get(1)) {
                out.append(resolve(part));
            }
            return out.toString();
        }
        if ("AWS::Partition".equals(intrinsic.get("Ref"))) {
            return "aws";
        }
        throw new IllegalStateException("unexpected token in the definition: " + intrinsic);
    }

    /**
     * Pretty-printed with two-space indents, object keys sorted and a final newline: the construct's
     * {@code Map.of} parameters iterate in an order that changes from JVM to JVM, so only sorted keys give
     * a stable file. Array order (Retry, Catch, Choices) is meaning, and kept.
     */
    static String pretty(JsonNode definition) {
        definition = sorted(definition);
        try {
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"));
            return MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writer(printer)
                    .writeValueAsString(definition) + "\n";
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

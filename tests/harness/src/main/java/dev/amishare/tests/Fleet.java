package dev.amishare.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amishare.contract.ConsumerActions;
import dev.amishare.contract.Names;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.Rule;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.EntityAlreadyExistsException;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeMapRunResponse;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.ListMapRunsResponse;
import software.amazon.awssdk.services.sfn.model.MapRunListItem;

/**
 * The emulator's fleet OU ({@value #OU}: accounts {@code 400000000001}…{@code 400000001100}, members of the
 * perimeter organization, see {@code tests/localstack-ext/amishare_localstack/organizations.json}) made ready
 * for amishare the way a StackSet of the consumer stack would: in each account the consumer role with the
 * trust and permissions of the deployed consumer stack's role in {@link Accounts#CONSUMER}, and, for accounts
 * that copy, the rule that forwards their AMI state changes to the owner's copy-event bus.
 * <p>
 * The deployed role is read once and written into each account with its account id replaced, so the fleet's
 * roles cannot drift from what the consumer stack creates. Creating is idempotent (an existing role gets the
 * same trust and policies again) and runs in parallel, as a thousand accounts take some 4,000 IAM calls.
 */
public final class Fleet {

    /** The fleet OU of the emulator's organization {@link Accounts#ORGANIZATION_ID}. */
    public static final String OU = "ou-ab12-fleet001";
    /** How many accounts the fleet OU holds. */
    public static final int SIZE = 1_100;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long FIRST = 400_000_000_001L;
    private static final int THREADS = 8;

    private final Aws aws;
    private final RoleTemplate template;

    /** What the consumer role is made of, as deployed in {@link Accounts#CONSUMER}. */
    private record RoleTemplate(String roleName, String trust, Map<String, String> policies) {
    }

    /** Which permissions the fleet's roles get. */
    public enum Permissions {
        /** Exactly the consumer stack's role. */
        FULL,
        /** The consumer stack's role without {@code kms:CreateGrant}: EC2 cannot use the keys for it. */
        WITHOUT_CREATE_GRANT
    }

    /** Reads the deployed consumer role of {@link Accounts#CONSUMER} (the consumer stack must be deployed). */
    public Fleet(Aws aws) {
        this.aws = aws;
        this.template = readTemplate(aws.iam(Accounts.CONSUMER), Names.DEFAULT_CONSUMER_ROLE);
    }

    /** The {@code index}-th account of the fleet, 1-based. */
    public static String account(int index) {
        if (index < 1 || index > SIZE) {
            throw new IllegalArgumentException("the fleet OU has accounts 1.." + SIZE + ", not " + index);
        }
        return Long.toString(FIRST + index - 1);
    }

    /** {@code count} fleet accounts from the {@code first}-th on (1-based). */
    public static List<String> accounts(int first, int count) {
        return IntStream.range(first, first + count).mapToObj(Fleet::account).toList();
    }

    /** Creates (or brings back to the template) the consumer role in each of {@code accounts}, in parallel. */
    public void createRoles(List<String> accounts, Permissions permissions) {
        parallel(accounts, account -> createRole(account, permissions));
    }

    /** Deletes the consumer role of each of {@code accounts} where it exists. */
    public void deleteRoles(List<String> accounts) {
        parallel(accounts, account -> ConsumerRoles.delete(aws.iam(account), template.roleName()));
    }

    private void createRole(String account, Permissions permissions) {
        IamClient iam = aws.iam(account);
        String name = template.roleName();
        try {
            iam.createRole(r -> r.roleName(name).assumeRolePolicyDocument(template.trust())
                    .description("amishare consumer role of the fleet account " + account));
        } catch (EntityAlreadyExistsException e) {
            iam.updateAssumeRolePolicy(r -> r.roleName(name).policyDocument(template.trust()));
        }
        List<String> existing = iam.listRolePolicies(r -> r.roleName(name)).policyNames();
        for (Map.Entry<String, String> policy : template.policies().entrySet()) {
            String document = forAccount(policy.getValue(), account, permissions);
            iam.putRolePolicy(r -> r.roleName(name).policyName(policy.getKey()).policyDocument(document));
        }
        for (String stale : existing) {
            if (!template.policies().containsKey(stale)) {
                iam.deleteRolePolicy(r -> r.roleName(name).policyName(stale));
            }
        }
    }

    /**
     * Forwards the AMI state changes of {@code account} to the owner's copy-event bus, as the consumer stack's
     * rule does in {@link Accounts#CONSUMER}: without it a copy into the account would only finish when the
     * workflow re-checks it (minutes later). Idempotent.
     */
    public void forwardCopyEvents(String account) {
        EventBridgeClient consumer = aws.events(Accounts.CONSUMER);
        String busArn = "arn:aws:events:" + Accounts.REGION + ":" + Accounts.OWNER + ":event-bus/"
                + Names.COPY_EVENT_BUS;
        Rule deployed = consumer.listRules(r -> r.limit(100)).rules().stream()
                .filter(rule -> consumer.listTargetsByRule(t -> t.rule(rule.name())).targets().stream()
                        .anyMatch(t -> busArn.equals(t.arn())))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no rule of " + Accounts.CONSUMER + " forwards to "
                        + busArn + "; is the consumer stack deployed?"));

        IamClient iam = aws.iam(account);
        String roleName = "amishare-fleet-forward-copy-events";
        String trust = """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow",\
                "Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        String roleArn;
        try {
            roleArn = iam.createRole(r -> r.roleName(roleName).assumeRolePolicyDocument(trust)).role().arn();
        } catch (EntityAlreadyExistsException e) {
            roleArn = iam.getRole(r -> r.roleName(roleName)).role().arn();
        }
        iam.putRolePolicy(r -> r.roleName(roleName).policyName("put-events").policyDocument(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"events:PutEvents\","
                        + "\"Resource\":\"" + busArn + "\"}]}"));
        EventBridgeClient events = aws.events(account);
        String ruleName = "amishare-fleet-forward-ami-state-change";
        events.putRule(r -> r.name(ruleName).eventPattern(deployed.eventPattern())
                .description("amishare: forwards EC2 AMI State Change events to the owner account"));
        String forwarder = roleArn;
        events.putTargets(r -> r.rule(ruleName).targets(Target.builder().id("owner-bus").arn(busArn)
                .roleArn(forwarder).build()));
    }

    /** The deployed role's trust and inline policies; the account id in them is put back per account. */
    private static RoleTemplate readTemplate(IamClient iam, String roleName) {
        String trust;
        try {
            trust = decode(iam.getRole(r -> r.roleName(roleName)).role().assumeRolePolicyDocument());
        } catch (NoSuchEntityException e) {
            throw new IllegalStateException("no role " + roleName + " in " + Accounts.CONSUMER
                    + "; is the consumer stack deployed?", e);
        }
        Map<String, String> policies = new LinkedHashMap<>();
        for (String name : iam.listRolePolicies(r -> r.roleName(roleName)).policyNames()) {
            policies.put(name, decode(iam.getRolePolicy(r -> r.roleName(roleName).policyName(name)).policyDocument()));
        }
        if (policies.isEmpty()) {
            throw new IllegalStateException("the role " + roleName + " of " + Accounts.CONSUMER + " has no inline policy");
        }
        return new RoleTemplate(roleName, trust, policies);
    }

    /** IAM answers policy documents URL-encoded (RFC 3986), as AWS does. */
    private static String decode(String document) {
        return document.startsWith("%") ? URLDecoder.decode(document, StandardCharsets.UTF_8) : document;
    }

    private static String forAccount(String document, String account, Permissions permissions) {
        String text = document.replace(Accounts.CONSUMER, account);
        if (permissions == Permissions.FULL) {
            return text;
        }
        try {
            ObjectNode policy = (ObjectNode) JSON.readTree(text);
            JsonNode statements = policy.path("Statement");
            ArrayNode kept = JSON.createArrayNode();
            for (JsonNode statement : statements.isArray() ? statements : List.of(statements)) {
                JsonNode action = statement.path("Action");
                List<String> actions = new ArrayList<>();
                (action.isArray() ? action : List.of(action)).forEach(a -> actions.add(a.asText()));
                if (!actions.remove(ConsumerActions.CREATE_GRANT)) {
                    kept.add(statement);
                } else if (!actions.isEmpty()) {
                    ObjectNode rest = statement.deepCopy();
                    ArrayNode list = rest.putArray("Action");
                    actions.forEach(list::add);
                    kept.add(rest);
                }
            }
            policy.set("Statement", kept);
            return JSON.writeValueAsString(policy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Requests and what the owner granted ----

    /** A target that only launches: launch permission and the keys, no snapshot permission, no copy. */
    public static ObjectNode launchOnly(String account) {
        return JSON.createObjectNode().put("accountId", account);
    }

    /** A target that also copies the AMI into {@link Accounts#REGION} under its own {@code kmsKeyId}. */
    public static ObjectNode copying(String account, String kmsKeyId) {
        ObjectNode target = launchOnly(account);
        target.putArray("copy").addObject().put("region", Accounts.REGION).put("kmsKeyId", kmsKeyId);
        return target;
    }

    /** {@code events/system/share-fleet.json} for {@code imageId}, {@code targets} and the tolerance. */
    public static String shareRequest(String imageId, List<ObjectNode> targets, int toleratedFailurePercentage) {
        try {
            ObjectNode request = (ObjectNode) JSON.readTree(ShareRequests.fromFile("share-fleet.json",
                    Map.of("imageId", imageId)));
            request.putArray("targets").addAll(targets);
            request.put("toleratedFailurePercentage", toleratedFailurePercentage);
            return JSON.writeValueAsString(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The accounts amishare's compact key-policy statement ({@code Sid AmishareAccounts}) names in
     * {@code kms:CallerAccount}.
     */
    public static java.util.Set<String> keyPolicyCallerAccounts(String policy) {
        java.util.Set<String> accounts = new java.util.TreeSet<>();
        try {
            for (JsonNode statement : JSON.readTree(policy).path("Statement")) {
                if (!"AmishareAccounts".equals(statement.path("Sid").asText())) {
                    continue;
                }
                JsonNode ids = statement.path("Condition").path("StringEquals").path("kms:CallerAccount");
                (ids.isArray() ? ids : List.of(ids)).forEach(id -> accounts.add(id.asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        accounts.remove("");
        return accounts;
    }


    // ---- What an organization-scale run is measured by: the emulator's endpoints, the execution's size ----

    /** One line of the emulator's request log ({@code GET /_amishare/requests}). */
    public record RequestCount(String account, String region, String service, String operation, long count) {
    }

    /** Resets the emulator's request log ({@code DELETE /_amishare/requests}). */
    public static void resetRequestLog(URI endpoint) {
        emulatorCall(endpoint, "DELETE", "/_amishare/requests", null);
    }

    /** The clients' requests since the last reset, LocalStack's services calling each other left out. */
    public static List<RequestCount> requestLog(URI endpoint) {
        JsonNode lines = emulatorCall(endpoint, "GET", "/_amishare/requests?internal=false", null);
        List<RequestCount> out = new ArrayList<>();
        for (JsonNode l : lines) {
            out.add(new RequestCount(l.path("account").asText(), l.path("region").asText(), l.path("service").asText(),
                    l.path("operation").asText(), l.path("count").asLong()));
        }
        return out;
    }

    /** Arms the next {@code count} Invokes of {@code functionName} to fail with Lambda's {@code error}. */
    public static void armLambdaFault(URI endpoint, String functionName, int count, String error) {
        ObjectNode body = JSON.createObjectNode().put("functionName", functionName).put("count", count)
                .put("error", error);
        emulatorCall(endpoint, "POST", "/_amishare/faults/lambda", body.toString());
    }

    /** Disarms every Lambda fault, so a test that failed midway leaves none for the next one. */
    public static void clearLambdaFaults(URI endpoint) {
        emulatorCall(endpoint, "DELETE", "/_amishare/faults/lambda", null);
    }

    /** The armed Lambda faults, each with the invocations it still fails ({@code remaining}). */
    public static JsonNode lambdaFaults(URI endpoint) {
        return emulatorCall(endpoint, "GET", "/_amishare/faults/lambda", null);
    }

    private static JsonNode emulatorCall(URI endpoint, String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint + path))
                    .timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every event of an execution's history, all pages. */
    public static List<HistoryEvent> history(SfnClient sfn, String executionArn) {
        List<HistoryEvent> events = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            GetExecutionHistoryResponse page = sfn.getExecutionHistory(r -> r.executionArn(executionArn)
                    .maxResults(1000).nextToken(next));
            events.addAll(page.events());
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return events;
    }

    /**
     * The payloads (inputs, outputs, task parameters) an event carries; each is bounded by Step Functions'
     * 256 KB quota, and amishare keeps them far smaller whatever the number of targets.
     */
    public static List<String> payloads(HistoryEvent e) {
        List<String> out = new ArrayList<>();
        if (e.stateEnteredEventDetails() != null) {
            out.add(e.stateEnteredEventDetails().input());
        }
        if (e.stateExitedEventDetails() != null) {
            out.add(e.stateExitedEventDetails().output());
        }
        if (e.taskScheduledEventDetails() != null) {
            out.add(e.taskScheduledEventDetails().parameters());
        }
        if (e.taskSubmittedEventDetails() != null) {
            out.add(e.taskSubmittedEventDetails().output());
        }
        if (e.taskSucceededEventDetails() != null) {
            out.add(e.taskSucceededEventDetails().output());
        }
        if (e.lambdaFunctionScheduledEventDetails() != null) {
            out.add(e.lambdaFunctionScheduledEventDetails().input());
        }
        if (e.lambdaFunctionSucceededEventDetails() != null) {
            out.add(e.lambdaFunctionSucceededEventDetails().output());
        }
        if (e.executionStartedEventDetails() != null) {
            out.add(e.executionStartedEventDetails().input());
        }
        if (e.executionSucceededEventDetails() != null) {
            out.add(e.executionSucceededEventDetails().output());
        }
        out.removeIf(p -> p == null);
        return out;
    }

    /** Bytes of a payload as Step Functions counts them (UTF-8). */
    public static int bytes(String payload) {
        return payload.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The Map Runs of an execution (one per Distributed Map state it ran), described. */
    public static List<DescribeMapRunResponse> mapRuns(SfnClient sfn, String executionArn) {
        List<DescribeMapRunResponse> out = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            ListMapRunsResponse page = sfn.listMapRuns(r -> r.executionArn(executionArn).nextToken(next));
            for (MapRunListItem run : page.mapRuns()) {
                out.add(sfn.describeMapRun(r -> r.mapRunArn(run.mapRunArn())));
            }
            token = page.nextToken();
        } while (token != null && !token.isEmpty());
        return out;
    }

    private static void parallel(List<String> accounts, Consumer<String> work) {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = accounts.stream().<Future<?>>map(a -> pool.submit(() -> work.accept(a))).toList();
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("preparing the fleet failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }
}

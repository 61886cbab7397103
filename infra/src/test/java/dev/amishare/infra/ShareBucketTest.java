package dev.amishare.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amishare.contract.Names;
import dev.amishare.contract.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/**
 * The owner stack's share bucket: what grows with the number of targets (target lists, the Distributed Maps'
 * results, reports). The bucket itself, which stage may read or write which prefix, and what the state
 * machine's Distributed Maps may do there.
 */
class ShareBucketTest {

    private final Template template = Synth.OWNER_TEMPLATE;

    /** The share bucket in a rendered grant; its objects are {@code (bucket)/<key pattern>}. */
    private static final String BUCKET = "(bucket)";
    private static final String EXECUTIONS = BUCKET + "/" + Names.SHARE_DATA_PREFIX + "*";
    private static final String MAP_RESULTS = BUCKET + "/" + Names.MAP_RESULTS_PREFIX + "/*";
    private static final String ANY_OBJECT = BUCKET + "/*";

    private String bucketId() {
        Set<String> ids = template.findResources("AWS::S3::Bucket").keySet();
        assertThat(ids).hasSize(1);
        return ids.iterator().next();
    }

    /**
     * A resource as a test names it: {@link #BUCKET} for the share bucket, {@code (bucket)/<key pattern>} for
     * its objects, anything else (another bucket, {@code *}) unchanged so that it cannot match an expected
     * grant.
     */
    private String inBucket(String resource) {
        String id = bucketId();
        for (String arn : List.of("${" + id + ".Arn}", "arn:${AWS::Partition}:s3:::${" + id + "}")) {
            if (resource.equals(arn)) {
                return BUCKET;
            }
            if (resource.startsWith(arn + "/")) {
                return BUCKET + resource.substring(arn.length());
            }
        }
        return resource;
    }

    /** Each S3 action of a role with each resource it is granted on, as "action resource". */
    private Set<String> s3Grants(String roleId) {
        Set<String> grants = new TreeSet<>();
        for (Map<String, Object> statement : Synth.statementsOf(template, roleId)) {
            for (String action : Synth.actions(statement)) {
                if (action.startsWith("s3:")) {
                    Synth.resources(statement).forEach(r -> grants.add(action + " " + inBucket(r)));
                }
            }
        }
        return grants;
    }

    /**
     * What each stage's service class does in the share bucket (ShareStore, MapRunResults): Prepare writes the
     * target list and baseline; Select and Report read those and the Maps' results and write what they
     * derive; the grant stages and Revoke read the targets; the rest never touch S3 (the readiness check gets
     * its batch from the Map). Every reader holds ListBucket, so that a missing object is a 404 NoSuchKey
     * (ShareDataMissingException), not a 403.
     */
    private static Set<String> expectedGrants(Stage stage) {
        return switch (stage) {
            case PREPARE -> Set.of("s3:PutObject " + EXECUTIONS);
            case SELECT_READY, REPORT -> Set.of("s3:GetObject " + EXECUTIONS, "s3:GetObject " + MAP_RESULTS,
                    "s3:ListBucket " + BUCKET, "s3:PutObject " + EXECUTIONS);
            case GRANT_LAUNCH_PERMISSION, KEY_POLICY, SHARE_SNAPSHOTS, REVOKE ->
                    Set.of("s3:GetObject " + EXECUTIONS, "s3:ListBucket " + BUCKET);
            case CHECK_TARGETS, VALIDATE_CONSUMER, COPY_IMAGE, COPY_STATUS, AWAIT_COPY, COPY_EVENT,
                    SHARE_TAG_CHANGED, NEW_ACCOUNT, SHARE_API -> Set.of();
        };
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void stageRoles_shouldReadAndWriteOnlyThePrefixesTheirServicesUse_whenGranted(Stage stage) {
        // GIVEN the role the stage's function runs under
        String role = Synth.roleOf(template, stage);

        // WHEN its S3 grants are read / THEN exactly what its service class calls, on those prefixes only
        assertThat(s3Grants(role)).as(stage.name()).isEqualTo(new TreeSet<>(expectedGrants(stage)));
    }

    @Test
    void stageRoles_shouldNeverOverwriteTheMapResults_whenGranted() {
        // GIVEN every statement of every function's role
        // WHEN / THEN no function writes or deletes under map-runs/: only the Maps' ResultWriters do
        for (Stage stage : Stage.values()) {
            assertThat(s3Grants(Synth.roleOf(template, stage))).as(stage.name())
                    .noneMatch(g -> g.endsWith(" " + MAP_RESULTS) && !g.startsWith("s3:GetObject "))
                    .noneMatch(g -> g.startsWith("s3:DeleteObject"));
        }
    }

    @Test
    void bucket_shouldBeEncryptedPrivateVersionedAndExpire_whenSynthesized() {
        // GIVEN / WHEN the owner stack / THEN one bucket, SSE-S3, every public access blocked, versioned, its
        // objects gone after 90 days and their old versions a day later
        template.resourceCountIs("AWS::S3::Bucket", 1);
        template.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                        "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "VersioningConfiguration", Map.of("Status", "Enabled"),
                "LifecycleConfiguration", Map.of("Rules", List.of(Map.of(
                        "ExpirationInDays", 90,
                        "NoncurrentVersionExpiration", Map.of("NoncurrentDays", 1),
                        "Status", "Enabled")))));
    }

    @Test
    void bucket_shouldRefuseEveryRequestWithoutTls_whenSynthesized() {
        // GIVEN the share bucket
        String id = bucketId();

        // WHEN / THEN its policy denies every action to everybody on the bucket and its objects without TLS
        template.hasResourceProperties("AWS::S3::BucketPolicy", Map.of(
                "Bucket", Map.of("Ref", id),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Map.of(
                        "Effect", "Deny", "Action", "s3:*", "Principal", Map.of("AWS", "*"),
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")),
                        "Resource", List.of(Map.of("Fn::GetAtt", List.of(id, "Arn")),
                                Map.of("Fn::Join", List.of("", List.of(Map.of("Fn::GetAtt", List.of(id, "Arn")),
                                        "/*"))))))))));
    }

    @Test
    void bucket_shouldBeNamedToEveryFunction_whenSynthesized() {
        // GIVEN / WHEN / THEN every function finds the bucket by the variable AwsClients.shareStore reads
        for (Stage stage : Stage.values()) {
            template.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler", stage.handler(),
                    "Environment", Map.of("Variables", Match.objectLike(Map.of(Names.ENV_SHARE_BUCKET,
                            Map.of("Ref", bucketId()))))));
        }
    }

    /** Every state of the definition, at any depth (the Maps' item processors included). */
    private static void states(JsonNode machine, List<JsonNode> out) {
        machine.path("States").forEach(state -> {
            out.add(state);
            states(state.path("ItemProcessor"), out);
            state.path("Branches").forEach(branch -> states(branch, out));
        });
    }

    private List<JsonNode> distributedMaps() throws Exception {
        Map<String, Map<String, Object>> machines = template.findResources("AWS::StepFunctions::StateMachine");
        assertThat(machines).hasSize(1);
        @SuppressWarnings("unchecked")
        Object definition = ((Map<String, Object>) machines.values().iterator().next().get("Properties"))
                .get("DefinitionString");
        List<JsonNode> all = new ArrayList<>();
        states(new ObjectMapper().readTree(Synth.render(definition)), all);
        return all.stream().filter(s -> "DISTRIBUTED".equals(s.path("ItemProcessor").path("ProcessorConfig")
                .path("Mode").asText())).toList();
    }

    @Test
    void distributedMaps_shouldReadItemsAndWriteResultsInTheShareBucket_whenSynthesized() throws Exception {
        // GIVEN the workflow's Distributed Maps: "Check targets" and "For each target"
        List<JsonNode> maps = distributedMaps();
        String bucket = "${" + bucketId() + "}";

        // WHEN / THEN both read their items from the share bucket and write their results under map-runs/,
        // the prefix Select and Report may read
        assertThat(maps).hasSize(2).allSatisfy(map -> {
            assertThat(map.at("/ItemReader/Resource").asText()).endsWith(":states:::s3:getObject");
            assertThat(map.at("/ItemReader/Parameters/Bucket").asText()).isEqualTo(bucket);
            assertThat(map.at("/ResultWriter/Resource").asText()).endsWith(":states:::s3:putObject");
            assertThat(map.at("/ResultWriter/Parameters/Bucket").asText()).isEqualTo(bucket);
            assertThat(map.at("/ResultWriter/Parameters/Prefix").asText())
                    .startsWith(Names.MAP_RESULTS_PREFIX + "/");
        });
    }

    @Test
    void stateMachineRole_shouldReadItemsAndWriteResultsOnlyInTheShareBucket_whenGranted() {
        // GIVEN the state machine's role
        String role = stateMachineRole();

        // WHEN its S3 grants are read
        Set<String> grants = s3Grants(role);

        // THEN the item readers' GetObject and the result writers' actions on the bucket's objects (Step
        // Functions DeveloperGuide "input-output-itemreader", "input-output-resultwriter"), and no grant on
        // any other bucket or on "*"
        assertThat(grants).contains("s3:GetObject " + ANY_OBJECT, "s3:PutObject " + ANY_OBJECT,
                "s3:ListMultipartUploadParts " + ANY_OBJECT, "s3:AbortMultipartUpload " + ANY_OBJECT);
        assertThat(grants).allSatisfy(g -> assertThat(g.substring(g.indexOf(' ') + 1)).startsWith(BUCKET));
    }

    @SuppressWarnings("unchecked")
    private String stateMachineRole() {
        Map<String, Object> props = (Map<String, Object>) template.findResources("AWS::StepFunctions::StateMachine")
                .values().iterator().next().get("Properties");
        return (String) ((List<Object>) ((Map<String, Object>) props.get("RoleArn")).get("Fn::GetAtt")).get(0);
    }
}

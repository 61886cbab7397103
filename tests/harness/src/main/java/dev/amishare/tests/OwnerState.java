package dev.amishare.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;

/**
 * Reads, in the owner account, what sharing changes: launch permissions, amishare's key-policy
 * statements (Sid "Amishare…") and snapshot createVolumePermission.
 */
public final class OwnerState {

    private final Aws aws;

    public OwnerState(Aws aws) {
        this.aws = aws;
    }

    public Set<String> launchPermissionAccounts(String imageId) {
        return new TreeSet<>(aws.ec2(Accounts.OWNER).describeImageAttribute(r -> r.imageId(imageId)
                .attribute("launchPermission")).launchPermissions().stream()
                .map(LaunchPermission::userId).filter(id -> id != null).toList());
    }

    public Set<String> snapshotPermissionAccounts(String snapshotId) {
        return new TreeSet<>(aws.ec2(Accounts.OWNER).describeSnapshotAttribute(r -> r.snapshotId(snapshotId)
                .attribute("createVolumePermission")).createVolumePermissions().stream()
                .map(CreateVolumePermission::userId).filter(id -> id != null).toList());
    }

    public String keyPolicy(String keyArn) {
        return aws.kms(Accounts.OWNER).getKeyPolicy(r -> r.keyId(keyArn).policyName("default")).policy();
    }

    /**
     * Accounts amishare's statements of the key's policy let in: the {@code kms:CallerAccount} list of the
     * compact statement, and account principals of statements in the older root-ARN form.
     */
    public Set<String> keyPolicyAccounts(String keyArn) {
        Set<String> accounts = new TreeSet<>();
        try {
            for (JsonNode statement : new ObjectMapper().readTree(keyPolicy(keyArn)).path("Statement")) {
                if (!statement.path("Sid").asText().startsWith("Amishare")) {
                    continue;
                }
                JsonNode callers = statement.path("Condition").path("StringEquals").path("kms:CallerAccount");
                for (JsonNode caller : callers.isArray() ? callers : java.util.List.of(callers)) {
                    accounts.add(caller.asText());
                }
                JsonNode aws = statement.path("Principal").path("AWS");
                for (JsonNode principal : aws.isArray() ? aws : java.util.List.of(aws)) {
                    // arn:aws:iam::<account>:root or a bare account id; "*" is the compact statement's
                    String text = principal.asText();
                    if (!text.equals("*")) {
                        accounts.add(text.startsWith("arn:") ? text.split(":")[4] : text);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        accounts.remove("");
        return accounts;
    }
}

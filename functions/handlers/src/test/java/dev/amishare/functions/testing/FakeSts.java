package dev.amishare.functions.testing;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityRequest;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** A stub of STS for unit tests: a fixed caller account and role assumption that succeeds or fails. */
public final class FakeSts implements StsClient {

    public final String account;
    public final List<AssumeRoleRequest> assumed = new ArrayList<>();
    public int identityCalls;
    public String assumeFailsWithCode;
    /** Role ARNs whose assumption is denied (AccessDenied), as for a target without the consumer role. */
    public final java.util.Set<String> deniedRoles = new java.util.HashSet<>();

    public FakeSts(String account) {
        this.account = account;
    }

    @Override
    public GetCallerIdentityResponse getCallerIdentity(GetCallerIdentityRequest request) {
        identityCalls++;
        return GetCallerIdentityResponse.builder().account(account).arn("arn:aws:sts::" + account + ":assumed-role/x/y")
                .build();
    }

    @Override
    public AssumeRoleResponse assumeRole(AssumeRoleRequest request) {
        assumed.add(request);
        if (assumeFailsWithCode != null) {
            throw Stubs.error(assumeFailsWithCode);
        }
        if (deniedRoles.contains(request.roleArn())) {
            throw Stubs.error("AccessDenied");
        }
        return AssumeRoleResponse.builder().credentials(Credentials.builder().accessKeyId("ASIAEXAMPLE")
                .secretAccessKey("secret").sessionToken("token").build()).build();
    }

    @Override
    public String serviceName() {
        return "sts";
    }

    @Override
    public void close() {
    }
}

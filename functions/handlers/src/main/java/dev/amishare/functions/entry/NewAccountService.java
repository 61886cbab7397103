package dev.amishare.functions.entry;

import dev.amishare.contract.Names;
import dev.amishare.functions.common.PerimeterGuard;
import dev.amishare.errors.UntrustedEventException;
import dev.amishare.functions.common.AwsErrors;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ec2.model.Filter;

/** Shares every AMI tagged for new accounts with one new account: one execution per AMI. *
 */
public record NewAccountService(Ec2Client ec2, ExecutionStarter starter, String managementAccountId, PerimeterGuard perimeter) {

    private static final Logger LOG = LogManager.getLogger(NewAccountService.class);


    /**
     * Control Tower's CreateManagedAccount and Organizations' CreateAccountResult are emitted in the
     * management account (Control Tower UserGuide "lifecycle-events", Organizations UserGuide
     * "orgs_cloudtrail-integration"), so the event's {@code account} must be it; an account another
     * organization created, forwarded by one of its members, is refused. The new account must also be
     * inside the perimeter (a member of the organization, under an allowed OU) before anything starts.
     */
    public EntryResult share(AccountCreatedEvent event) {
        if (managementAccountId == null || !managementAccountId.equals(event.account())) {
            throw new UntrustedEventException("account-vending event from account " + event.account()
                    + "; amishare takes these from the management account " + managementAccountId + " only");
        }
        String accountId = EntryNormalizer.newAccountId(event).orElse(null);
        if (accountId == null) {
            return EntryResult.skipped("account creation did not succeed");
        }
        perimeter.checkAccounts(List.of(accountId));
        List<String> imageIds = taggedImages();
        LOG.info("new account {}: {} AMI(s) tagged {}={}", accountId, imageIds.size(),
                Names.TAG_SHARE_WITH_NEW_ACCOUNTS, Names.TAG_SHARE_WITH_NEW_ACCOUNTS_VALUE);
        if (imageIds.isEmpty()) {
            return EntryResult.skipped("no AMI is tagged " + Names.TAG_SHARE_WITH_NEW_ACCOUNTS + "="
                    + Names.TAG_SHARE_WITH_NEW_ACCOUNTS_VALUE);
        }
        List<StartedExecution> started = new ArrayList<>();
        for (String imageId : imageIds) {
            started.add(starter.start(EntryNormalizer.executionName(accountId, imageId),
                    EntryNormalizer.newAccountRequest(imageId, accountId)));
        }
        return new EntryResult(started, null);
    }

    /**
     * AMIs this account owns carrying the opt-in tag, sorted so the executions start in a stable order.
     *
     * <p>Pages through DescribeImages by hand rather than with {@code describeImagesPaginator}: the
     * SDK's paginators re-stamp their first request through the generic {@code toBuilder()} /
     * {@code AwsRequest.Builder.build()} (UserAgentUtils.applyPaginatorUserAgent), which makes ProGuard
     * keep the model classes of every operation of every service in the deployment jar (18.7 MiB
     * instead of 9.2 MiB).
     */
    List<String> taggedImages() {
        Filter tagged = Filter.builder().name("tag:" + Names.TAG_SHARE_WITH_NEW_ACCOUNTS)
                .values(Names.TAG_SHARE_WITH_NEW_ACCOUNTS_VALUE).build();
        List<String> imageIds = new ArrayList<>();
        try {
            String token = null;
            do {
                String pageToken = token;
                DescribeImagesResponse page = ec2.describeImages(r -> r.owners("self").filters(tagged)
                        .nextToken(pageToken));
                page.images().forEach(image -> imageIds.add(image.imageId()));
                token = page.nextToken();
            } while (token != null && !token.isEmpty());
        } catch (AwsServiceException e) {
            throw AwsErrors.common("ec2:DescribeImages", e);
        }
        imageIds.sort(null);
        return imageIds;
    }
}

package dev.amishare.functions.testing;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Helpers shared by the SDK stubs of the unit tests. */
public final class Stubs {

    private Stubs() {
    }

    /** The service error the SDK raises for {@code code}, as the real clients do. */
    public static AwsServiceException error(String code) {
        return AwsServiceException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("stubbed " + code).build())
                .statusCode(400)
                .build();
    }
}

package dev.amishare.tests;

/** The accounts of the tests. LocalStack takes the account from a 12-digit access key id. */
public final class Accounts {

    /** Owns the golden AMIs and runs amishare. */
    /** The emulator's organization (tests/localstack-ext membership file): OWNER manages it, CONSUMER and THIRD
     *  are members; the sharing perimeter of every test. */
    public static final String ORGANIZATION_ID = "o-amishare01";
    /** An account outside every organization and perimeter. */
    public static final String OUTSIDER = "999999999999";

    public static final String OWNER = "111111111111";
    /** The first account an AMI is shared with. */
    public static final String CONSUMER = "222222222222";
    /** A second target, for multi-target cases. */
    public static final String THIRD = "333333333333";

    public static final String REGION = "us-east-1";
    public static final String OTHER_REGION = "eu-west-1";

    private Accounts() {
    }
}
